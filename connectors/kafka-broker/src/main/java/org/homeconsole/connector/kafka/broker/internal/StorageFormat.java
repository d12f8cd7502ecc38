package org.homeconsole.connector.kafka.broker.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code kafka-storage.sh format} does, for a directory that has not been formatted yet. */
public final class StorageFormat {

    private static final Logger LOG = LoggerFactory.getLogger(StorageFormat.class);
    private static final String META_PROPERTIES = "meta.properties";

    private StorageFormat() {
    }

    /**
     * Formats {@code dataDir} for a single KRaft node unless it already holds a {@code meta.properties},
     * and returns the cluster id stored there.
     */
    public static String ensureFormatted(Path dataDir, int nodeId, String controllerListenerName) {
        Path meta = dataDir.resolve(META_PROPERTIES);
        if (Files.isRegularFile(meta)) {
            String clusterId = readClusterId(meta);
            LOG.debug("Kafka data directory {} already formatted for cluster {}", dataDir, clusterId);
            return clusterId;
        }
        String clusterId = Uuid.randomUuid().toString();
        String dir = dataDir.toAbsolutePath().toString();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(dir))
                    .setMetadataLogDirectory(dir)
                    .setControllerListenerName(controllerListenerName)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    // voters come from controller.quorum.voters, as with kafka-storage.sh without --standalone
                    .setHasDynamicQuorum(false)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka data directory " + dataDir + ": " + e.getMessage(), e);
        }
        LOG.info("Formatted Kafka data directory {} for new cluster {}", dataDir, clusterId);
        return clusterId;
    }

    private static String readClusterId(Path meta) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + meta, e);
        }
        String clusterId = props.getProperty("cluster.id");
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalStateException(meta + " has no cluster.id: not a Kafka KRaft data directory?");
        }
        return clusterId;
    }
}
