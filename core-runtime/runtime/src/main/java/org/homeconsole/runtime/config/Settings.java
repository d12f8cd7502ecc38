package org.homeconsole.runtime.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.homeconsole.connector.kafka.KafkaEventBusSettings;

/**
 * The core's settings, validated. Every setting is an environment variable (also read from {@code .env}
 * and the properties file, see {@link SettingsSource}); a bad value stops start-up with a
 * {@link SettingsException} naming the setting.
 *
 * @param httpHost {@code HOMECONSOLE_HTTP_HOST} (0.0.0.0)
 * @param httpPort {@code HOMECONSOLE_HTTP_PORT} (8000): the one HTTP server, REST and WebSocket
 * @param dataDir {@code HOMECONSOLE_DATA_DIR} (./data): SQLite file, embedded broker data, generated admin key
 * @param adminApiKey {@code HOMECONSOLE_ADMIN_API_KEY}; empty = generated at first start and kept in the data dir
 * @param kafkaBootstrapServers {@code KAFKA_BOOTSTRAP_SERVERS}; empty = start the embedded broker
 * @param embeddedKafkaPort {@code HOMECONSOLE_KAFKA_PORT} (9092): the embedded broker's port on localhost
 * @param databaseUrl {@code DATABASE_URL}: JDBC URL of the storage; defaults to SQLite in the data dir
 * @param nodeId {@code HOMECONSOLE_NODE_ID} (core-&lt;hostname&gt;): names this node's inbox and consumer group
 * @param routesDir {@code HOMECONSOLE_ROUTES_DIR} (./routes): route files, watched for changes
 * @param pluginsDir {@code HOMECONSOLE_PLUGINS_DIR} (./plugins): plugin jars
 * @param serviceCallTimeout {@code HOMECONSOLE_SERVICE_CALL_TIMEOUT_MS} (10000): default timeout of remote service calls
 * @param maxBodyBytes {@code HOMECONSOLE_HTTP_MAX_BODY_BYTES} (16 MiB): larger request bodies are refused with 413
 * @param topicPrefix {@code HOMECONSOLE_TOPIC_PREFIX} (homeconsole): first part of every Kafka topic name
 *                    ({@code <prefix>.events}, {@code <prefix>.events.dlq}, {@code <prefix>.services}, {@code <prefix>.rpc.<node>})
 * @param eventPartitions {@code HOMECONSOLE_EVENT_PARTITIONS} (6): partitions of the events and dead-letter topics
 *                        when this node creates them; a topic that exists keeps its own
 * @param eventCompression {@code HOMECONSOLE_EVENT_COMPRESSION} (lz4): how this node's producer compresses the events it
 *                         publishes ({@code none}, {@code gzip}, {@code snappy}, {@code lz4}, {@code zstd})
 * @param eventSubscriberThreads {@code HOMECONSOLE_EVENT_SUBSCRIBER_THREADS} (one per core): threads shared by this node's
 *                               event subscriptions; more are added while handlers block
 * @param source where these came from; plugins read their own settings (e.g. {@code CLIENT_MANAGER_MODE}) from it
 */
public record Settings(
        String httpHost,
        int httpPort,
        Path dataDir,
        Optional<String> adminApiKey,
        Optional<String> kafkaBootstrapServers,
        int embeddedKafkaPort,
        String databaseUrl,
        String nodeId,
        Path routesDir,
        Path pluginsDir,
        Duration serviceCallTimeout,
        long maxBodyBytes,
        String topicPrefix,
        int eventPartitions,
        String eventCompression,
        int eventSubscriberThreads,
        SettingsSource source) {

    private static final Pattern BOOTSTRAP = Pattern.compile("[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5}(,[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5})*");
    private static final Pattern TOPIC_PREFIX = Pattern.compile("[A-Za-z0-9._\\-]{1,100}");
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._\\-]{1,100}");

    /** Reads and validates every setting. */
    public static Settings load(SettingsSource source, Path workDir) {
        String httpHost = source.get("HOMECONSOLE_HTTP_HOST").orElse("0.0.0.0");
        int httpPort = port(source, "HOMECONSOLE_HTTP_PORT", 8000);
        Path dataDir = workDir.resolve(source.get("HOMECONSOLE_DATA_DIR").orElse("data")).toAbsolutePath().normalize();
        Optional<String> adminKey = source.get("HOMECONSOLE_ADMIN_API_KEY");
        adminKey.ifPresent(key -> {
            if (key.length() < 16) {
                throw new SettingsException("HOMECONSOLE_ADMIN_API_KEY", "must be at least 16 characters long");
            }
        });
        Optional<String> bootstrap = source.get("KAFKA_BOOTSTRAP_SERVERS");
        bootstrap.ifPresent(value -> {
            if (!BOOTSTRAP.matcher(value).matches()) {
                throw new SettingsException("KAFKA_BOOTSTRAP_SERVERS", "'" + value + "' is not a comma-separated list of host:port");
            }
        });
        int kafkaPort = port(source, "HOMECONSOLE_KAFKA_PORT", 9092);
        if (bootstrap.isEmpty() && kafkaPort == httpPort) {
            throw new SettingsException("HOMECONSOLE_KAFKA_PORT", "must differ from HOMECONSOLE_HTTP_PORT (" + httpPort + ")");
        }
        String databaseUrl = databaseUrl(source.get("DATABASE_URL"), dataDir);
        String nodeId = source.get("HOMECONSOLE_NODE_ID").orElseGet(Settings::defaultNodeId);
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw new SettingsException("HOMECONSOLE_NODE_ID", "'" + nodeId + "' may hold only letters, digits, '.', '_' and '-' (at most 100)");
        }
        Path routesDir = workDir.resolve(source.get("HOMECONSOLE_ROUTES_DIR").orElse("routes")).toAbsolutePath().normalize();
        Path pluginsDir = workDir.resolve(source.get("HOMECONSOLE_PLUGINS_DIR").orElse("plugins")).toAbsolutePath().normalize();
        long timeoutMs = number(source, "HOMECONSOLE_SERVICE_CALL_TIMEOUT_MS", 10_000, 1, 3_600_000);
        String topicPrefix = source.get("HOMECONSOLE_TOPIC_PREFIX").orElse("homeconsole");
        if (!TOPIC_PREFIX.matcher(topicPrefix).matches()) {
            throw new SettingsException("HOMECONSOLE_TOPIC_PREFIX", "'" + topicPrefix + "' may hold only letters, digits, '.', '_' and '-' (at most 100)");
        }
        long maxBody = number(source, "HOMECONSOLE_HTTP_MAX_BODY_BYTES", 16L << 20, 1024, 1L << 31);
        int eventPartitions = (int) number(source, "HOMECONSOLE_EVENT_PARTITIONS", 6, 1, 10_000);
        String eventCompression = source.get("HOMECONSOLE_EVENT_COMPRESSION").orElse(KafkaEventBusSettings.DEFAULT_COMPRESSION);
        if (!KafkaEventBusSettings.COMPRESSIONS.contains(eventCompression)) {
            throw new SettingsException("HOMECONSOLE_EVENT_COMPRESSION", "'" + eventCompression + "' is not one of "
                    + String.join(", ", KafkaEventBusSettings.COMPRESSIONS));
        }
        int subscriberThreads = (int) number(source, "HOMECONSOLE_EVENT_SUBSCRIBER_THREADS",
                KafkaEventBusSettings.defaultSubscriberThreads(), 1, KafkaEventBusSettings.MAX_SUBSCRIBER_THREADS);
        return new Settings(httpHost, httpPort, dataDir, adminKey, bootstrap, kafkaPort, databaseUrl, nodeId,
                routesDir, pluginsDir, Duration.ofMillis(timeoutMs), maxBody, topicPrefix, eventPartitions, eventCompression,
                subscriberThreads, source);
    }

    /**
     * {@code HOMECONSOLE_DISABLED_PLUGINS}: comma-separated names of plugins found but not to be installed
     * on this node (e.g. {@code devices} on nodes that only run the client manager).
     */
    public java.util.Set<String> disabledPlugins() {
        return source.get("HOMECONSOLE_DISABLED_PLUGINS").stream()
                .flatMap(value -> java.util.Arrays.stream(value.split(",")))
                .map(String::strip).filter(name -> !name.isEmpty())
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Creates the data directory, failing with a message naming {@code HOMECONSOLE_DATA_DIR}. */
    public void prepareDataDir() {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new SettingsException("HOMECONSOLE_DATA_DIR", "cannot create " + dataDir + ": " + e);
        }
        if (!Files.isWritable(dataDir)) {
            throw new SettingsException("HOMECONSOLE_DATA_DIR", dataDir + " is not writable");
        }
    }

    public String eventsTopic() {
        return topicPrefix + ".events";
    }

    public String deadLetterTopic() {
        return topicPrefix + ".events.dlq";
    }

    public boolean embeddedKafka() {
        return kafkaBootstrapServers.isEmpty();
    }

    private static String databaseUrl(Optional<String> configured, Path dataDir) {
        if (configured.isEmpty()) {
            return "jdbc:sqlite:" + dataDir.resolve("homeconsole.db");
        }
        String url = configured.get();
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:sqlite:") || lower.startsWith("jdbc:postgresql://")) {
            return url;
        }
        if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
            return PostgresUrls.toJdbc(url);
        }
        throw new SettingsException("DATABASE_URL", "'" + mask(url) + "' is neither a jdbc:postgresql://, postgres:// nor jdbc:sqlite: URL");
    }

    private static int port(SettingsSource source, String name, int defaultValue) {
        return (int) number(source, name, defaultValue, 1, 65_535);
    }

    private static long number(SettingsSource source, String name, long defaultValue, long min, long max) {
        Optional<String> raw = source.get(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw.get());
            if (value < min || value > max) {
                throw new SettingsException(name, "'" + raw.get() + "' is out of range " + min + ".." + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new SettingsException(name, "'" + raw.get() + "' is not a whole number (" + min + ".." + max + ")");
        }
    }

    private static String defaultNodeId() {
        try {
            String host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._\\-]", "-");
            return "core-" + (host.length() > 90 ? host.substring(0, 90) : host);
        } catch (UnknownHostException e) {
            return "core-1";
        }
    }

    static String mask(String url) {
        return url.replaceAll("(://[^:/@]+:)[^@/]*@", "$1****@").replaceAll("(?i)(password=)[^&]*", "$1****");
    }
}
