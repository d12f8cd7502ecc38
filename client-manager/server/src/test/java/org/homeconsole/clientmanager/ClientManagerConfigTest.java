package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Optional;
import org.homeconsole.clientmanager.ClientManagerConfig.Mode;
import org.junit.jupiter.api.Test;

class ClientManagerConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ClientManagerConfig resolve(String stored, Map<String, String> env) throws Exception {
        JsonNode node = stored == null ? null : JSON.readTree(stored);
        return ClientManagerConfig.resolve(node, name -> Optional.ofNullable(env.get(name)));
    }

    @Test
    void defaultsAreStandaloneOnAllAddressesPort10000WithoutPrefix() throws Exception {
        ClientManagerConfig config = resolve(null, Map.of());
        assertThat(config.mode()).isEqualTo(Mode.STANDALONE);
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(10000);
        assertThat(config.restBase()).isEqualTo("/api");
        assertThat(config.agentPath()).isEqualTo("/ws");
        assertThat(config.adminPath()).isEqualTo("/admin/ws");
        assertThat(config.heartbeatTimeoutMs()).isEqualTo(3 * config.heartbeatIntervalMs());
    }

    @Test
    void environmentOverridesDefaultsAndStorageOverridesEnvironment() throws Exception {
        Map<String, String> env = Map.of("CLIENT_MANAGER_MODE", "integrated", "CLIENT_MANAGER_WS_PREFIX", "/from-env",
                "CLIENT_MANAGER_PORT", "10001");
        ClientManagerConfig fromEnv = resolve("{}", env);
        assertThat(fromEnv.mode()).isEqualTo(Mode.INTEGRATED);
        assertThat(fromEnv.restBase()).isEqualTo("/api/client-manager");
        assertThat(fromEnv.agentPath()).isEqualTo("/from-env/ws");
        assertThat(fromEnv.port()).isEqualTo(10001);

        ClientManagerConfig stored = resolve("{\"mode\":\"standalone\",\"port\":\"10002\",\"ws_prefix\":\"/cm\"}", env);
        assertThat(stored.mode()).isEqualTo(Mode.STANDALONE);
        assertThat(stored.port()).as("port as a string").isEqualTo(10002);
        assertThat(stored.wsPrefix()).isEqualTo("/cm");
        assertThat(stored.agentPath()).as("standalone ignores the prefix").isEqualTo("/ws");
        assertThat(resolve("{\"port\":10003}", env).port()).as("port as a number").isEqualTo(10003);
    }

    @Test
    void badValuesNameWhereTheyCameFrom() {
        assertThatThrownBy(() -> resolve(null, Map.of("CLIENT_MANAGER_MODE", "both")))
                .hasMessageStartingWith("CLIENT_MANAGER_MODE");
        assertThatThrownBy(() -> resolve("{\"mode\":\"both\"}", Map.of()))
                .hasMessageContaining("plugin_config/client_manager field 'mode'");
        assertThatThrownBy(() -> resolve(null, Map.of("CLIENT_MANAGER_PORT", "ten")))
                .hasMessageStartingWith("CLIENT_MANAGER_PORT").hasMessageContaining("whole number");
        assertThatThrownBy(() -> resolve("{\"port\":70000}", Map.of())).hasMessageContaining("'port'");
        assertThatThrownBy(() -> resolve(null, Map.of("CLIENT_MANAGER_WS_PREFIX", "no-slash")))
                .hasMessageStartingWith("CLIENT_MANAGER_WS_PREFIX");
        assertThatThrownBy(() -> resolve(null, Map.of("CLIENT_MANAGER_HEARTBEAT_INTERVAL_MS", "5000",
                "CLIENT_MANAGER_HEARTBEAT_TIMEOUT_MS", "4000"))).hasMessageStartingWith("CLIENT_MANAGER_HEARTBEAT_TIMEOUT_MS");
    }
}
