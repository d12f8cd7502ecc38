package org.homeconsole.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.homeconsole.api.storage.StorageAdapter;
import org.homeconsole.api.storage.StorageAdapterFactory;
import org.homeconsole.connector.kafka.broker.EmbeddedKafkaBroker;
import org.homeconsole.runtime.admin.AdminApi;
import org.homeconsole.runtime.admin.AdminKey;
import org.homeconsole.runtime.admin.Problems;
import org.homeconsole.runtime.admin.Readiness;
import org.homeconsole.runtime.config.Settings;
import org.homeconsole.runtime.config.SettingsException;
import org.homeconsole.runtime.events.EventsComponent;
import org.homeconsole.runtime.plugins.PluginDiscovery;
import org.homeconsole.runtime.plugins.PluginManager;
import org.homeconsole.runtime.plugins.PortGuard;
import org.homeconsole.runtime.routes.RouteFileLoader;
import org.homeconsole.runtime.routes.RouteOwnership;
import org.homeconsole.runtime.state.InMemoryStateEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Home Console core node: broker connection (or the embedded broker), storage, the kernel
 * services, the Camel context with the one HTTP server, the plugins and the route files. {@link #start}
 * brings them up in that order and {@link #close} takes them down in reverse.
 */
public final class Platform implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Platform.class);
    private static final String VERSION = Platform.class.getPackage().getImplementationVersion() != null
            ? Platform.class.getPackage().getImplementationVersion() : "dev";

    private final Settings settings;
    private final Deque<AutoCloseable> closers = new ArrayDeque<>();
    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());
    private Kernel kernel;
    private Main main;
    private PluginManager plugins;
    private RouteFileLoader routeFiles;
    private Readiness readiness;
    private AdminKey adminKey;
    private String bootstrapServers;

    private Platform(Settings settings) {
        this.settings = settings;
    }

    /** Starts a node; on failure everything already started is stopped again before the error is thrown. */
    public static Platform start(Settings settings) {
        Platform platform = new Platform(settings);
        try {
            platform.doStart();
            return platform;
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        } catch (Exception e) {
            platform.close();
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void doStart() throws Exception {
        long started = System.nanoTime();
        settings.prepareDataDir();
        requireFreePort("HOMECONSOLE_HTTP_PORT", settings.httpHost(), settings.httpPort());
        adminKey = AdminKey.resolve(settings.adminApiKey(), settings.dataDir());

        bootstrapServers = settings.kafkaBootstrapServers().orElseGet(this::startEmbeddedBroker);
        StorageAdapter storage = openStorage();
        KernelConnections connections = KernelConnections.open(settings, bootstrapServers);
        closers.push(connections);
        InMemoryStateEngine state = new InMemoryStateEngine(connections.events(), mapper);
        kernel = new Kernel(settings.nodeId(), connections.events(), connections.services(), state, storage, mapper);

        main = new Main();
        main.setOverrideProperties(camelProperties());
        main.configure().addRoutesBuilder(new CoreProblemsConfiguration());
        main.configure().addRoutesBuilder(new CoreRoutes(VERSION, settings.httpPort()));
        readiness = new Readiness(List.of(
                () -> storage.isHealthy() ? List.of() : List.of("storage " + storage.describe() + " does not answer"),
                () -> connections.reasonsNotReady(),
                () -> plugins == null ? List.of("plugins are not started yet") : plugins.notStarted()),
                () -> routeFiles == null ? List.of() : routeFiles.failures().stream()
                        .map(f -> "route file " + f.file() + " failed: " + f.error()).toList(),
                mapper);
        main.bind("readiness", readiness);
        main.bind("events", new EventsComponent(kernel.events(), mapper));
        main.bind("eventBus", kernel.events());
        main.bind("services", kernel.services());
        main.bind("state", kernel.state());
        main.bind("storage", kernel.storage());
        main.bind("problems", new Problems(mapper));
        main.bind("objectMapper", mapper);
        main.start();
        closers.push(() -> main.stop());
        CamelContext camel = main.getCamelContext();

        RouteOwnership ownership = new RouteOwnership(camel);
        PortGuard guard = new PortGuard(settings.httpPort());
        plugins = PluginManager.create(kernel, camel, ownership, guard);
        routeFiles = new RouteFileLoader(camel, ownership, settings.routesDir());
        closers.push(routeFiles);
        camel.getRegistry().bind("adminApi", new AdminApi(adminKey, storage, state, kernel.services(), plugins,
                routeFiles, camel, mapper));
        camel.getRegistry().bind("pluginManager", plugins);

        plugins.install(PluginDiscovery.discover(Thread.currentThread().getContextClassLoader(), settings.pluginsDir()));
        closers.push(() -> plugins.unloadAll());
        plugins.startAll();
        routeFiles.start(1000);

        readiness.markStarted();
        LOG.info("Home Console {} node '{}' started in {} ms: http://{}:{} (REST and WebSocket), Kafka {}{}, storage {}",
                VERSION, settings.nodeId(), (System.nanoTime() - started) / 1_000_000, settings.httpHost(), settings.httpPort(),
                bootstrapServers, settings.embeddedKafka() ? " (embedded)" : "", storage.describe());
        List<String> reasons = readiness.reasons();
        if (!reasons.isEmpty()) {
            LOG.warn("Not ready: {}", reasons);
        }
    }

    private String startEmbeddedBroker() {
        requireFreePort("HOMECONSOLE_KAFKA_PORT", "127.0.0.1", settings.embeddedKafkaPort());
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(settings.dataDir().resolve("kafka"))
                .host("127.0.0.1")
                .port(settings.embeddedKafkaPort())
                .build()
                .start();
        closers.push(broker);
        return broker.bootstrapServers();
    }

    private StorageAdapter openStorage() {
        for (StorageAdapterFactory factory : ServiceLoader.load(StorageAdapterFactory.class)) {
            var adapter = factory.create(settings.databaseUrl());
            if (adapter.isPresent()) {
                StorageAdapter storage = adapter.get();
                storage.start();
                closers.push(storage);
                return storage;
            }
        }
        throw new SettingsException("DATABASE_URL", "no storage adapter accepts this URL");
    }

    private Properties camelProperties() {
        Properties p = new Properties();
        p.put("camel.main.name", "homeconsole-" + settings.nodeId());
        // the route-file loader owns routes/; Camel must not load or reload anything by itself
        p.put("camel.main.routes-include-pattern", "classpath:homeconsole-no-routes/*.yaml");
        p.put("camel.main.routes-reload-enabled", "false");
        p.put("camel.main.jmx-management-m-beans-level", "RoutesOnly");
        p.put("camel.server.enabled", "true");
        p.put("camel.server.host", settings.httpHost());
        p.put("camel.server.port", String.valueOf(settings.httpPort()));
        // DESIGN.md B2: the management endpoints share the one port, else they open 8080
        p.put("camel.management.enabled", "true");
        p.put("camel.management.host", settings.httpHost());
        p.put("camel.management.port", String.valueOf(settings.httpPort()));
        p.put("camel.management.health-check-enabled", "true");
        p.put("camel.management.metrics-enabled", "true");
        p.put("camel.management.jolokia-enabled", "true");
        p.put("camel.metrics.enabled", "true");
        p.put("camel.metrics.enable-route-policy", "true");
        p.put("camel.rest.component", "platform-http");
        // keep REST and its direct: route apart: inlining drops the direct route's routeConfigurationId
        p.put("camel.rest.inline-routes", "false");
        p.put("camel.beans.vertx", "#class:io.vertx.core.Vertx#vertx");
        p.put("camel.component.kafka.brokers", bootstrapServers);
        p.put("homeconsole.node-id", settings.nodeId());
        p.put("homeconsole.http.port", String.valueOf(settings.httpPort()));
        p.put("homeconsole.kafka.bootstrap-servers", bootstrapServers);
        p.put("homeconsole.events.topic", settings.eventsTopic());
        p.put("homeconsole.events.dead-letter-topic", settings.deadLetterTopic());
        return p;
    }

    private static void requireFreePort(String setting, String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new SettingsException(setting, "port " + port + " on " + host + " is already in use or cannot be bound (" + e.getMessage() + ")");
        }
    }

    public Kernel kernel() {
        return kernel;
    }

    public CamelContext camel() {
        return main.getCamelContext();
    }

    public PluginManager plugins() {
        return plugins;
    }

    public RouteFileLoader routeFiles() {
        return routeFiles;
    }

    public Readiness readiness() {
        return readiness;
    }

    public Settings settings() {
        return settings;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public synchronized void close() {
        while (!closers.isEmpty()) {
            AutoCloseable closer = closers.pop();
            try {
                closer.close();
            } catch (Exception e) {
                LOG.warn("Error while stopping {}: {}", closer, e.toString());
            }
        }
    }
}
