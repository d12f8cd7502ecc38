package org.homeconsole.runtime;

import java.util.Properties;
import org.homeconsole.runtime.config.Settings;

/**
 * The camel-main properties of a core node, derived from its {@link Settings}: one HTTP server for REST,
 * WebSocket and management (DESIGN.md B2), no Camel-side route loading (the route-file loader owns
 * {@code routes/}), and the {@code homeconsole.*} placeholders route files may use.
 */
final class CamelProperties {

    private CamelProperties() {
    }

    static Properties of(Settings settings, String bootstrapServers) {
        Properties p = new Properties();
        p.put("camel.main.name", "homeconsole-" + settings.nodeId());
        // the route-file loader owns routes/; Camel must not load or reload anything by itself
        p.put("camel.main.routes-include-pattern", "classpath:homeconsole-no-routes/*.yaml");
        p.put("camel.main.routes-reload-enabled", "false");
        p.put("camel.main.jmx-management-m-beans-level", "RoutesOnly");
        p.put("camel.server.enabled", "true");
        p.put("camel.server.host", settings.httpHost());
        p.put("camel.server.port", String.valueOf(settings.httpPort()));
        // a client must not be able to make the node buffer without bound, or write files to its disk
        p.put("camel.server.max-body-size", String.valueOf(settings.maxBodyBytes()));
        p.put("camel.server.file-upload-enabled", "false");
        // DESIGN.md B2: the management endpoints share the one port, else they open 8080
        p.put("camel.management.enabled", "true");
        p.put("camel.management.host", settings.httpHost());
        p.put("camel.management.port", String.valueOf(settings.httpPort()));
        p.put("camel.management.health-check-enabled", "true");
        p.put("camel.management.metrics-enabled", "true");
        p.put("camel.management.jolokia-enabled", "true");
        p.put("camel.metrics.enabled", "true");
        // observability-services switches tracing on; its jar is excluded (no exporter here), so switch it off
        p.put("camel.opentelemetry2.enabled", "false");
        p.put("camel.metrics.enable-route-policy", "true");
        // the per-route policy gives camel_exchanges_*; the exchange event notifier would scan the whole meter
        // registry on every exchange, on the event loop (~10 % of a node's CPU per REST call, docs/benchmarks-client-manager.md)
        p.put("camel.metrics.enable-exchange-event-notifier", "false");
        p.put("camel.rest.component", "platform-http");
        // keep REST and its direct: route apart: inlining drops the direct route's routeConfigurationId
        p.put("camel.rest.inline-routes", "false");
        p.put("camel.component.kafka.brokers", bootstrapServers);
        p.put("homeconsole.node-id", settings.nodeId());
        p.put("homeconsole.http.port", String.valueOf(settings.httpPort()));
        p.put("homeconsole.kafka.bootstrap-servers", bootstrapServers);
        p.put("homeconsole.events.topic", settings.eventsTopic());
        p.put("homeconsole.events.dead-letter-topic", settings.deadLetterTopic());
        return p;
    }
}
