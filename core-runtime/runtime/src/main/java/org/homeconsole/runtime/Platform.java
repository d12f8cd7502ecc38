package org.homeconsole.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
import org.homeconsole.runtime.plugins.PluginHost;
import org.homeconsole.runtime.http.HttpServers;
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
    private StorageAdapter storage;
    private volatile KernelConnections connections;
    private Main main;
    private PluginManager plugins;
    private RouteFileLoader routeFiles;
    private Readiness readiness;
    private AdminKey adminKey;
    private HttpServers httpServers;
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
        if (settings.embeddedKafka()) {
            requireFreePort("HOMECONSOLE_KAFKA_PORT", "127.0.0.1", settings.embeddedKafkaPort());
        }
        adminKey = AdminKey.resolve(settings.adminApiKey(), settings.dataDir());
        bootstrapServers = settings.kafkaBootstrapServers().orElse("127.0.0.1:" + settings.embeddedKafkaPort());

        // The Kafka side (embedded broker, event bus, service registry) and Camel each take seconds to
        // start and need nothing from each other until plugins start: start them side by side.
        CompletableFuture<KafkaSide> kafka = CompletableFuture.supplyAsync(this::startKafkaSide, runnable -> {
            Thread thread = new Thread(runnable, "homeconsole-kafka-start");
            thread.setDaemon(true);
            thread.start();
        });
        try {
            startCamelAndStorage();
        } catch (Exception | Error e) {
            kafka.thenAccept(KafkaSide::close);
            throw e;
        }
        KafkaSide kafkaSide = join(kafka);
        closers.push(kafkaSide);
        // Camel stops before Kafka: routes may still publish while they drain
        closers.push(() -> main.stop());

        KernelConnections connections = kafkaSide.connections();
        InMemoryStateEngine state = new InMemoryStateEngine(connections.events(), mapper);
        kernel = new Kernel(settings.nodeId(), connections.events(), connections.services(), state, storage, mapper);
        CamelContext camel = main.getCamelContext();
        camel.getRegistry().bind("eventBus", kernel.events());
        camel.getRegistry().bind("services", kernel.services());
        camel.getRegistry().bind("state", kernel.state());
        camel.getRegistry().bind("events", new EventsComponent(kernel.events(), mapper));
        this.connections = connections;

        httpServers = new HttpServers(camel, settings.httpHost(), settings.httpPort(), settings.maxBodyBytes());
        closers.push(httpServers);
        RouteOwnership ownership = new RouteOwnership(camel);
        PortGuard guard = new PortGuard(settings.httpPort());
        plugins = PluginManager.create(kernel, camel, ownership, guard, new PluginHost(camel, httpServers, adminKey::matchesAuthorization,
                settings.source()::get));
        routeFiles = new RouteFileLoader(camel, ownership, settings.routesDir());
        closers.push(routeFiles);
        camel.getRegistry().bind("adminApi", new AdminApi(adminKey, storage, state, kernel.services(), plugins,
                routeFiles, camel, mapper));
        camel.getRegistry().bind("pluginManager", plugins);

        plugins.install(PluginDiscovery.discover(Thread.currentThread().getContextClassLoader(), settings.pluginsDir())
                .without(settings.disabledPlugins()));
        closers.push(() -> plugins.unloadAll());
        plugins.startAll();
        routeFiles.start(1000);
        connections.deliverEvents();

        readiness.markStarted();
        LOG.info("Home Console {} node '{}' started in {} ms: http://{}:{} (REST and WebSocket), Kafka {}{}, storage {}",
                VERSION, settings.nodeId(), (System.nanoTime() - started) / 1_000_000, settings.httpHost(), settings.httpPort(),
                bootstrapServers, settings.embeddedKafka() ? " (embedded)" : "", storage.describe());
        List<String> reasons = readiness.reasons();
        if (!reasons.isEmpty()) {
            LOG.warn("Not ready: {}", reasons);
        }
    }

    private void startCamelAndStorage() throws Exception {
        storage = openStorage();
        main = new Main();
        main.setOverrideProperties(CamelProperties.of(settings, bootstrapServers));
        main.configure().addRoutesBuilder(new CoreProblemsConfiguration());
        main.configure().addRoutesBuilder(new CoreRoutes(VERSION, settings.httpPort()));
        StorageAdapter store = storage;
        readiness = new Readiness(List.of(
                () -> store.isHealthy() ? List.of() : List.of("storage " + store.describe() + " does not answer"),
                () -> connections == null ? List.of("Kafka is not connected yet") : connections.reasonsNotReady(),
                () -> plugins == null ? List.of("plugins are not started yet") : plugins.notStarted()),
                () -> routeFiles == null ? List.of() : routeFiles.failures().stream()
                        .map(f -> "route file " + f.file() + " failed: " + f.error()).toList(),
                mapper);
        main.bind("readiness", readiness);
        main.bind("storage", storage);
        main.bind("problems", new Problems(mapper));
        main.bind("objectMapper", mapper);
        main.bind("vertx", HttpServers.newVertx());
        HttpServers.bindCoreEngine(main::bind, settings.httpPort());
        try {
            main.start();
        } catch (Exception e) {
            main.stop();
            throw e;
        }
    }

    /** The embedded broker (when used) and the Kafka-backed kernel services, closed together. */
    private record KafkaSide(EmbeddedKafkaBroker broker, KernelConnections connections) implements AutoCloseable {
        @Override
        public void close() {
            if (connections != null) {
                connections.close();
            }
            if (broker != null) {
                broker.close();
            }
        }
    }

    private KafkaSide startKafkaSide() {
        EmbeddedKafkaBroker broker = null;
        try {
            if (settings.embeddedKafka()) {
                broker = EmbeddedKafkaBroker.builder(settings.dataDir().resolve("kafka"))
                        .host("127.0.0.1")
                        .port(settings.embeddedKafkaPort())
                        .build()
                        .start();
            }
            return new KafkaSide(broker, KernelConnections.open(settings, bootstrapServers));
        } catch (RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
    }

    private static <T> T join(CompletableFuture<T> future) throws Exception {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private StorageAdapter openStorage() {
        for (StorageAdapterFactory factory : ServiceLoader.load(StorageAdapterFactory.class)) {
            var adapter = factory.create(settings.databaseUrl());
            if (adapter.isPresent()) {
                StorageAdapter opened = adapter.get();
                try {
                    opened.start();
                } catch (RuntimeException e) {
                    throw new SettingsException("DATABASE_URL", e.getMessage());
                }
                closers.push(opened);
                return opened;
            }
        }
        throw new SettingsException("DATABASE_URL", "no storage adapter accepts this URL");
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

    public HttpServers httpServers() {
        return httpServers;
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
