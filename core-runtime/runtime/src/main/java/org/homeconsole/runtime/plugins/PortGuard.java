package org.homeconsole.runtime.plugins;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

/**
 * Refuses plugin routes whose consumer would open a port of its own: the core owns the one HTTP server
 * (SPEC §1). REST DSL and {@code platform-http} routes, and {@code vertx-websocket} on the core's own
 * port, mount on that server and are allowed.
 */
public final class PortGuard {

    private static final Set<String> SERVER_COMPONENTS = Set.of(
            "netty", "netty-http", "jetty", "undertow", "servlet", "websocket", "websocket-jsr356",
            "atmosphere-websocket", "cxf", "cxfrs", "mina", "grpc", "coap", "coap+tcp", "mllp", "vertx-http",
            "knative", "webhook", "spring-ws", "resteasy", "jms-server", "nats-server", "smpp-server", "syslog");

    private final int corePort;

    public PortGuard(int corePort) {
        this.corePort = corePort;
    }

    /**
     * Checks the consumers of a plugin's routes before they are added (and so before any could open a
     * port). Throws {@link IllegalStateException} naming the plugin and endpoint.
     */
    public void check(String plugin, CamelContext camel, RoutesBuilder builder) throws Exception {
        if (!(builder instanceof RouteBuilder routeBuilder)) {
            throw new IllegalStateException("Plugin '" + plugin + "' must contribute routes as a RouteBuilder, not "
                    + builder.getClass().getName());
        }
        // configureRoutes runs configure() once; the later addRoutes reuses the same definitions
        for (RouteDefinition route : routeBuilder.configureRoutes(camel).getRoutes()) {
            String uri = camel.resolvePropertyPlaceholders(route.getInput().getEndpointUri());
            String scheme = uri.contains(":") ? uri.substring(0, uri.indexOf(':')).toLowerCase(Locale.ROOT) : uri;
            if (SERVER_COMPONENTS.contains(scheme) || scheme.equals("vertx-websocket") && !onCorePort(uri)) {
                throw new IllegalStateException("Plugin '" + plugin + "' route consumes from " + uri
                        + ", which would open its own server; plugins mount REST and WebSocket routes on the core's "
                        + "server (REST DSL, platform-http, vertx-websocket on port " + corePort + ")");
            }
        }
    }

    private boolean onCorePort(String uri) {
        try {
            URI parsed = URI.create("ws:" + uri.substring(uri.indexOf(':') + 1));
            return parsed.getPort() == corePort || parsed.getPort() == -1;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
