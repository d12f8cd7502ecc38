package org.homeconsole.clientmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.homeconsole.runtime.Platform;
import org.homeconsole.runtime.config.Settings;
import org.homeconsole.runtime.config.SettingsSource;
import org.homeconsole.testsupport.TestNodes;

/**
 * A real core node with the client_manager plugin for tests: real Kafka (KafkaSupport), SQLite in a temp
 * dir, free ports, the repository's route files, topics of its own. Standalone by default; pass
 * {@code CLIENT_MANAGER_MODE=integrated} to serve on the core's port.
 */
final class ClientManagerNode implements AutoCloseable {

    static final String ADMIN_KEY = TestNodes.ADMIN_KEY;
    static final Path REPO_ROUTES = Path.of(System.getProperty("homeconsole.repo.routes", "../../routes")).toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Platform platform;
    final int corePort;
    final int clientManagerPort;
    final boolean integrated;
    final String wsPrefix;

    private ClientManagerNode(Platform platform, int corePort, int clientManagerPort, boolean integrated, String wsPrefix) {
        this.platform = platform;
        this.corePort = corePort;
        this.clientManagerPort = clientManagerPort;
        this.integrated = integrated;
        this.wsPrefix = wsPrefix;
    }

    static Map<String, String> settings(Path dir) {
        Map<String, String> values = TestNodes.settings(dir, REPO_ROUTES);
        values.put("CLIENT_MANAGER_HOST", "127.0.0.1");
        values.put("CLIENT_MANAGER_PORT", String.valueOf(freePort()));
        return values;
    }

    static ClientManagerNode start(Path dir, Map<String, String> values) {
        Platform platform = Platform.start(Settings.load(SettingsSource.of(values), dir));
        boolean integrated = "integrated".equals(values.get("CLIENT_MANAGER_MODE"));
        return new ClientManagerNode(platform, Integer.parseInt(values.get("HOMECONSOLE_HTTP_PORT")),
                Integer.parseInt(values.get("CLIENT_MANAGER_PORT")), integrated,
                values.getOrDefault("CLIENT_MANAGER_WS_PREFIX", ""));
    }

    /** The same node seen as integrated with a WebSocket prefix (when storage, not the settings, chose it). */
    ClientManagerNode asIntegrated(String prefix) {
        return new ClientManagerNode(platform, corePort, clientManagerPort, true, prefix);
    }

    /** REST base URL: http://127.0.0.1:<10000-ish>/api or http://127.0.0.1:<core>/api/client-manager. */
    String api() {
        return integrated ? "http://127.0.0.1:" + corePort + "/api/client-manager" : "http://127.0.0.1:" + clientManagerPort + "/api";
    }

    String agentUrl() {
        return integrated ? "ws://127.0.0.1:" + corePort + wsPrefix + "/ws" : "ws://127.0.0.1:" + clientManagerPort + "/ws";
    }

    String adminUrl() {
        return integrated ? "ws://127.0.0.1:" + corePort + wsPrefix + "/admin/ws" : "ws://127.0.0.1:" + clientManagerPort + "/admin/ws";
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, ADMIN_KEY);
    }

    HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api() + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + ADMIN_KEY).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Issues a token for an agent through the admin endpoint. */
    String issueToken(String agentId) throws Exception {
        HttpResponse<String> response = send("POST", "/tokens", "{\"agent_id\":\"" + agentId + "\"}", ADMIN_KEY);
        if (response.statusCode() != 201) {
            throw new IllegalStateException("token for " + agentId + ": " + response.statusCode() + " " + response.body());
        }
        return json(response).get("token").asText();
    }

    static int freePort() {
        return TestNodes.freePort();
    }

    @Override
    public void close() {
        platform.close();
    }
}
