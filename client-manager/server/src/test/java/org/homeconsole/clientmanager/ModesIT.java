package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC.md §2 modes on real nodes: standalone by default on its own port, integrated on the core's port
 * with a WebSocket prefix, the two start-up log lines, and the configuration precedence
 * (Storage {@code plugin_config/client_manager} over the environment over the defaults) across a restart.
 */
class ModesIT {

    @TempDir
    Path dir;

    @Test
    void standaloneByDefaultServesApiAndSocketsOnItsOwnPort() throws Exception {
        Map<String, String> settings = ClientManagerNode.settings(dir);
        try (CapturedLog log = new CapturedLog("org.homeconsole.clientmanager");
             ClientManagerNode node = ClientManagerNode.start(dir, settings)) {
            assertThat(log.lines()).contains("Client Manager started on 127.0.0.1:" + node.clientManagerPort + " (standalone mode)");
            HttpResponse<String> clients = node.get("/clients");
            assertThat(clients.statusCode()).isEqualTo(200);
            assertThat(node.json(clients).path("count").asInt()).isZero();
            // not on the core's server
            assertThat(plainGet("http://127.0.0.1:" + node.corePort + "/api/client-manager/clients").statusCode()).isEqualTo(404);
            RawSocket agent = AgentSocketITSupport.hello(node, "standalone-agent", "{}");
            assertThat(node.json(node.get("/clients/standalone-agent")).path("status").asText()).isEqualTo("online");
            agent.socket.abort();
        }
    }

    @Test
    void integratedFromTheEnvironmentServesUnderTheCorePortWithTheWsPrefix() throws Exception {
        Map<String, String> settings = ClientManagerNode.settings(dir);
        settings.put("CLIENT_MANAGER_MODE", "integrated");
        settings.put("CLIENT_MANAGER_WS_PREFIX", "/client-manager");
        try (CapturedLog log = new CapturedLog("org.homeconsole.clientmanager");
             ClientManagerNode node = ClientManagerNode.start(dir, settings)) {
            assertThat(log.lines()).contains("Client Manager integrated into the main API (integrated mode)");
            assertThat(node.api()).isEqualTo("http://127.0.0.1:" + node.corePort + "/api/client-manager");
            assertThat(node.get("/clients").statusCode()).isEqualTo(200);
            assertThat(node.agentUrl()).endsWith(":" + node.corePort + "/client-manager/ws");
            RawSocket agent = AgentSocketITSupport.hello(node, "integrated-agent", "{}");
            assertThat(node.json(node.get("/clients")).path("clients").findValuesAsText("agent_id"))
                    .containsExactly("integrated-agent");
            RawSocket admin = RawSocket.connect(node.adminUrl(), ClientManagerNode.ADMIN_KEY);
            admin.send("{\"type\":\"ping\"}");
            assertThat(admin.next("pong")).isNotNull();
            // the standalone port is not opened
            assertThatThrownBy(() -> plainGet("http://127.0.0.1:" + node.clientManagerPort + "/api/clients"))
                    .isInstanceOf(ConnectException.class);
            agent.socket.abort();
        }
    }

    @Test
    void storageWinsOverTheEnvironmentWhichWinsOverTheDefaults() throws Exception {
        Map<String, String> settings = ClientManagerNode.settings(dir);
        settings.put("CLIENT_MANAGER_MODE", "standalone");
        settings.put("CLIENT_MANAGER_HEARTBEAT_INTERVAL_MS", "4000");
        try (ClientManagerNode node = ClientManagerNode.start(dir, settings)) {
            assertThat(node.get("/health").statusCode()).isEqualTo(200);
            HttpResponse<String> set = plainSend("POST", "http://127.0.0.1:" + node.corePort + "/api/admin/v1/storage/set",
                    "{\"namespace\":\"plugin_config\",\"key\":\"client_manager\",\"value\":"
                            + "{\"mode\":\"integrated\",\"ws_prefix\":\"/cm\",\"port\":\"10999\"}}");
            assertThat(set.statusCode()).as(set.body()).isBetween(200, 204);
        }
        // the stored mode applies at the next start; the environment still gives what storage leaves out
        try (CapturedLog log = new CapturedLog("org.homeconsole.clientmanager");
             ClientManagerNode node = ClientManagerNode.start(dir, settings)) {
            assertThat(log.lines()).contains("Client Manager integrated into the main API (integrated mode)");
            ClientManagerNode integrated = node.asIntegrated("/cm");
            assertThat(integrated.get("/clients").statusCode()).isEqualTo(200);
            RawSocket agent = RawSocket.connect(integrated.agentUrl(), integrated.issueToken("precedence"));
            agent.send("{\"type\":\"hello\",\"protocol\":1,\"agent_id\":\"precedence\",\"hostname\":\"h\",\"os\":\"linux\","
                    + "\"agent_version\":\"x\"}");
            JsonNode welcome = agent.next("welcome");
            assertThat(welcome.path("heartbeat_interval_ms").asLong()).as("from the environment").isEqualTo(4000);
            assertThat(welcome.path("heartbeat_timeout_ms").asLong()).as("default: 3 intervals").isEqualTo(12000);
            agent.socket.abort();
        }
    }

    @Test
    void aBadModeStopsThePluginWithTheSettingNamed() throws Exception {
        Map<String, String> settings = ClientManagerNode.settings(dir);
        settings.put("CLIENT_MANAGER_MODE", "sideways");
        try (ClientManagerNode node = ClientManagerNode.start(dir, settings)) {
            JsonNode plugin = ClientManagerNode.JSON.readTree(plainGet("http://127.0.0.1:" + node.corePort
                    + "/api/admin/v1/plugins/client_manager").body());
            assertThat(plugin.path("state").asText()).isEqualTo("FAILED");
            assertThat(plugin.path("error").asText()).contains("CLIENT_MANAGER_MODE").contains("standalone");
        }
    }

    private static HttpResponse<String> plainGet(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + ClientManagerNode.ADMIN_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> plainSend(String method, String url, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + ClientManagerNode.ADMIN_KEY).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
