package org.homeconsole.connector.kafka.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;
import org.homeconsole.connector.kafka.broker.internal.BrokerPorts;
import org.homeconsole.connector.kafka.broker.internal.KafkaLogLevels;
import org.homeconsole.connector.kafka.broker.internal.StorageFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) running inside this JVM.
 *
 * <p>It is the embedded default when no external cluster is configured, and the broker tests run
 * against when none is given. Its data lives in {@link Builder#dataDir(Path)} and survives a
 * restart: a directory that is already formatted is reused with its cluster id, never reformatted.
 *
 * <p>The broker's threads are not daemons: whoever calls {@link #start()} must call {@link #close()}
 * (in a {@code finally}, a shutdown hook or a lifecycle callback), or the JVM will not exit.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(Path.of("data/kafka")).build().start()) {
 *     String bootstrap = broker.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Builder settings;
    private KafkaRaftServer server;
    private volatile String clusterId;
    private volatile int port;
    private int controllerPort;

    private EmbeddedKafkaBroker(Builder settings) {
        this.settings = settings;
    }

    /** A builder for a broker keeping its data (log segments and metadata) in {@code dataDir}. */
    /**
     * Runs a broker as a process of its own until it is stopped (SIGTERM): the shared Kafka of several
     * nodes on one machine ({@code infra/scripts/start-cluster.sh}).
     * Arguments: {@code <data dir> [port, default 9092] [host, default 127.0.0.1]}.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: EmbeddedKafkaBroker <data dir> [port] [host]");
            System.exit(2);
        }
        EmbeddedKafkaBroker broker = builder(Path.of(args[0]))
                .port(args.length > 1 ? Integer.parseInt(args[1]) : 9092)
                .host(args.length > 2 ? args[2] : "127.0.0.1")
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-stop"));
        System.out.println("Kafka broker listening on " + broker.bootstrapServers());
        Thread.currentThread().join();
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /**
     * Formats the data directory when it is new, starts the broker and returns once it answers
     * requests.
     *
     * @throws IllegalStateException naming the port when it is already taken, or when the broker
     *                               does not start
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (server != null) {
            throw new IllegalStateException("Embedded Kafka broker already started on " + bootstrapServers());
        }
        if (settings.quietLogging) {
            KafkaLogLevels.quietBrokerLoggers();
        }
        port = BrokerPorts.claim(settings.host, settings.port, "Kafka listener");
        controllerPort = BrokerPorts.claim(settings.host, settings.controllerPort, "Kafka controller");
        Properties props = brokerProperties();
        KafkaConfig config = new KafkaConfig(props, false);
        clusterId = StorageFormat.ensureFormatted(settings.dataDir, NODE_ID, CONTROLLER_LISTENER);

        long begin = System.nanoTime();
        KafkaRaftServer raftServer = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            raftServer.startup();
            server = raftServer;
            awaitReady();
        } catch (RuntimeException e) {
            server = null;
            shutDown(raftServer);
            throw new IllegalStateException("Embedded Kafka broker did not start on " + settings.host + ":" + port
                    + " (controller port " + controllerPort + ", data " + settings.dataDir + "): " + e.getMessage(), e);
        }
        LOG.info("Embedded Kafka broker ready on {} in {} ms (cluster {}, data {})", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), clusterId, settings.dataDir);
        return this;
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        if (port == 0) {
            throw new IllegalStateException("Embedded Kafka broker not started");
        }
        return settings.advertisedHost() + ":" + port;
    }

    /** The client listener's port (known after {@link #start()}). */
    public int port() {
        return port;
    }

    /** The cluster id stored in the data directory (known after {@link #start()}). */
    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return settings.dataDir;
    }

    /** Shuts the broker down and waits until its threads have ended. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        KafkaRaftServer running = server;
        server = null;
        shutDown(running);
        LOG.info("Embedded Kafka broker on {}:{} stopped", settings.host, port);
    }

    private static void shutDown(KafkaRaftServer raftServer) {
        try {
            raftServer.shutdown();
            raftServer.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Embedded Kafka broker did not shut down cleanly: {}", e.toString());
        }
    }

    private Properties brokerProperties() {
        String host = settings.host;
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        // a static voter set (not --standalone): the controller port may change from one start to the next
        props.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listeners", "PLAINTEXT://" + host + ":" + port + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + settings.advertisedHost() + ":" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", settings.dataDir.toAbsolutePath().toString());
        // one node: every internal topic can only have one replica
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "10");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // the default 128 MiB dedupe buffer alone would need more heap than the whole broker uses otherwise
        props.put("log.cleaner.dedupe.buffer.size", "4194304");
        props.put("auto.create.topics.enable", "true");
        props.put("num.partitions", "3");
        // sized for a broker that shares the process (and its few cores) with the platform: Kafka's defaults
        // of 3 network and 8 request-handler threads are for a server of its own
        props.put("num.network.threads", "1");
        props.put("num.io.threads", "2");
        props.put("background.threads", "2");
        props.putAll(settings.overrides);
        return props;
    }

    private void awaitReady() {
        Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-broker-readiness");
        try (Admin admin = Admin.create(adminConfig)) {
            int nodes = admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            if (nodes == 0) {
                throw new IllegalStateException("broker answered without any node");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("broker did not answer within " + READY_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }

    /** Settings of an {@link EmbeddedKafkaBroker}. */
    public static final class Builder {
        private final Path dataDir;
        private String host = "127.0.0.1";
        private String advertisedHost;
        private int port;
        private int controllerPort;
        private boolean quietLogging = true;
        private final Properties overrides = new Properties();

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        }

        /** Address the listeners bind to; {@code 127.0.0.1} by default. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Host name given to clients; the bind host by default (required when binding to 0.0.0.0). */
        public Builder advertisedHost(String advertisedHost) {
            this.advertisedHost = advertisedHost;
            return this;
        }

        /** Client port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /** Controller (KRaft quorum) port; 0 (the default) picks a free one. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = checkPort(controllerPort);
            return this;
        }

        /**
         * Whether to turn the broker's own loggers ({@code kafka}, {@code org.apache.kafka.server}, ...,
         * and the configuration dumps every Kafka client logs) down to WARN when Log4j is the backend
         * and the application did not configure those loggers itself; {@code true} by default.
         */
        public Builder quietLogging(boolean quietLogging) {
            this.quietLogging = quietLogging;
            return this;
        }

        /** Any other broker property (e.g. {@code log.retention.hours}); wins over the defaults. */
        public Builder property(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public EmbeddedKafkaBroker build() {
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create Kafka data directory " + dataDir, e);
            }
            if (advertisedHost().equals("0.0.0.0") || advertisedHost().equals("::")) {
                throw new IllegalArgumentException("Embedded Kafka broker binds to " + host
                        + ": set advertisedHost to a name clients can reach");
            }
            return new EmbeddedKafkaBroker(this);
        }

        private String advertisedHost() {
            return advertisedHost != null ? advertisedHost : host;
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Invalid port " + port);
            }
            return port;
        }
    }
}
