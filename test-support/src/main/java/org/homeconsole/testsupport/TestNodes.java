package org.homeconsole.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Settings for a fresh platform node in a test: a free HTTP port, its own data dir, the shared real Kafka
 * (KafkaSupport), a node id and topic prefix of its own so tests never see each other's events, the
 * repository's route files, a fixed admin key. Tests override entries before starting the node.
 */
public final class TestNodes {

    public static final String ADMIN_KEY = "test-admin-key-0123456789";

    private TestNodes() {
    }

    public static Map<String, String> settings(Path dir, Path routesDir) {
        Map<String, String> values = new HashMap<>();
        values.put("HOMECONSOLE_HTTP_PORT", String.valueOf(freePort()));
        values.put("HOMECONSOLE_DATA_DIR", dir.resolve("data").toString());
        values.put("KAFKA_BOOTSTRAP_SERVERS", KafkaSupport.bootstrapServers());
        values.put("HOMECONSOLE_NODE_ID", KafkaSupport.uniqueName("node"));
        values.put("HOMECONSOLE_TOPIC_PREFIX", KafkaSupport.uniqueName("hc"));
        values.put("HOMECONSOLE_ROUTES_DIR", routesDir.toString());
        values.put("HOMECONSOLE_PLUGINS_DIR", dir.resolve("plugins").toString());
        values.put("HOMECONSOLE_ADMIN_API_KEY", ADMIN_KEY);
        return values;
    }

    /** A port free at the time of asking. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
