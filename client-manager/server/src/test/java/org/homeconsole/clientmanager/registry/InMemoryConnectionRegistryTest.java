package org.homeconsole.clientmanager.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry contract on a single node's registry in memory (every node id gets the same instance). */
class InMemoryConnectionRegistryTest extends ConnectionRegistryContract {

    private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry(1000);

    @Override
    ConnectionRegistry registry(String nodeId) {
        return registry;
    }

    @Test
    void keepsAtMostMaxOfflineForgettingTheLongestGoneAndNeverAnOnlineAgent() {
        InMemoryConnectionRegistry small = new InMemoryConnectionRegistry(10);
        Instant start = now();
        for (int i = 0; i < 100; i++) {
            small.online(client(String.format("agent-%03d", i), "s-" + i, NODE_A, start));
        }
        for (int i = 0; i < 30; i++) {
            small.offline(String.format("agent-%03d", i), "s-" + i, start.plusSeconds(i), "gone");
            assertThat(small.offlineCount()).isLessThanOrEqualTo(10);
        }
        List<ClientInfo> offline = small.list().stream().filter(c -> !c.online()).toList();
        assertThat(offline).hasSize(small.offlineCount());
        assertThat(offline).extracting(ClientInfo::id).contains("agent-029", "agent-028", "agent-027")
                .doesNotContain("agent-000", "agent-019");
        assertThat(small.list().stream().filter(ClientInfo::online)).hasSize(70);

        small.online(client("agent-029", "s-29b", NODE_A, start.plusSeconds(60)));
        assertThat(small.offlineCount()).isEqualTo(offline.size() - 1);
        assertThat(small.remove("agent-028")).isTrue();
        assertThat(small.remove("agent-028")).isFalse();
        assertThat(small.offlineCount()).isEqualTo(offline.size() - 2);
        assertThat(small.list().stream().filter(c -> !c.online())).hasSize(small.offlineCount());
    }
}
