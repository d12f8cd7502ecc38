package org.homeconsole.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.homeconsole.connector.kafka.broker.EmbeddedKafkaBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka broker tests run against: one per JVM, shared by every test.
 *
 * <p>{@value #BOOTSTRAP_SERVERS_VARIABLE} (environment variable or system property) names an
 * existing cluster; without it an {@link EmbeddedKafkaBroker} starts on a free port in a temporary
 * directory on first use and stops in a shutdown hook. Tests isolate themselves with
 * {@link #uniqueName(String)} for their topics and consumer groups, never by restarting the broker.
 */
public final class KafkaSupport {

    /** Names an external cluster ({@code host:port,...}) to use instead of the embedded broker. */
    public static final String BOOTSTRAP_SERVERS_VARIABLE = "HOMECONSOLE_TEST_KAFKA_BOOTSTRAP_SERVERS";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSupport.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);
    private static String bootstrapServers;

    private KafkaSupport() {
    }

    /** {@code bootstrap.servers} of the shared broker, starting the embedded one on first call. */
    public static synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            bootstrapServers = configured();
            if (bootstrapServers == null) {
                bootstrapServers = startEmbedded();
            } else {
                LOG.info("Tests use the Kafka cluster at {}", bootstrapServers);
            }
        }
        return bootstrapServers;
    }

    /**
     * A name no other test of this run (nor of an earlier run against the same cluster) uses, valid
     * as a topic name and a consumer group id: {@code <prefix>.<run>.<n>}.
     */
    public static String uniqueName(String prefix) {
        String safe = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        return safe + "." + RUN_ID + "." + SEQUENCE.incrementAndGet();
    }

    private static String configured() {
        String value = System.getProperty(BOOTSTRAP_SERVERS_VARIABLE, System.getenv(BOOTSTRAP_SERVERS_VARIABLE));
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String startEmbedded() {
        Path dir;
        try {
            dir = Files.createTempDirectory("homeconsole-test-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for the embedded Kafka broker", e);
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(dir).build();
        // registered before start: the broker's threads are not daemons, a failed start must not hang the JVM
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            deleteQuietly(dir);
        }, "test-kafka-shutdown"));
        broker.start();
        LOG.info("Tests use an embedded Kafka broker at {} (data {})", broker.bootstrapServers(), dir);
        return broker.bootstrapServers();
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.debug("Could not delete {}: {}", dir, e.toString());
        }
    }
}
