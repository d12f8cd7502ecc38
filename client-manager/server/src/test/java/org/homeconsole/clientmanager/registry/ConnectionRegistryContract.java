package org.homeconsole.clientmanager.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ConnectionRegistry} does, whichever store it keeps: the subclasses run it against the registry in
 * memory and the one in Redis. Times are whole milliseconds (the Redis registry keeps no finer).
 */
abstract class ConnectionRegistryContract {

    static final String NODE_A = "node-a";
    static final String NODE_B = "node-b";

    /**
     * The registry {@code nodeId} uses in this test; registries of different nodes in one test share their state (a
     * single-node registry is simply the same instance for every node id).
     */
    abstract ConnectionRegistry registry(String nodeId);

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    static ClientInfo client(String id, String session, String node, Instant at) {
        return new ClientInfo(id, session, node, ClientInfo.ONLINE, at, at, "10.0.0.7:51000",
                Map.of("role", "worker", "zone", "eu-1"),
                new ClientInfo.AgentDetails(id + ".local", "linux", "x86_64", "1.2.3", 1, List.of("exec", "files")),
                null, null);
    }

    @Test
    void onlineAgentsAreFoundAndListedById() {
        ConnectionRegistry registry = registry(NODE_A);
        Instant at = now();
        registry.online(client("zeta", "s-z", NODE_A, at));
        registry.online(client("alpha", "s-a", NODE_A, at));
        registry.online(client("mid", "s-m", NODE_A, at));

        assertThat(registry.get("alpha")).contains(client("alpha", "s-a", NODE_A, at));
        assertThat(registry.get("unknown")).isEmpty();
        assertThat(registry.list()).extracting(ClientInfo::id).containsExactly("alpha", "mid", "zeta");
        assertThat(registry.list()).allMatch(ClientInfo::online);
    }

    @Test
    void labelsAgentDetailsAndTimesRoundTrip() {
        ConnectionRegistry registry = registry(NODE_A);
        Instant since = now().minusSeconds(30);
        ClientInfo odd = new ClientInfo("host-ü/1", "sess:1", NODE_A, ClientInfo.ONLINE, since, since.plusMillis(1),
                "[::1]:4000", Map.of("k=v", "a,b", "empty", "", "quote", "\"x\"", "ünï", "cødé"),
                new ClientInfo.AgentDetails("h", "darwin", null, "0.0.1-SNAPSHOT", 1, List.of()), null, null);
        registry.online(odd);
        assertThat(registry.get("host-ü/1")).contains(odd);
        assertThat(registry.list()).contains(odd);

        ClientInfo bare = new ClientInfo("bare", "s", NODE_A, ClientInfo.ONLINE, since, since, null, Map.of(), null,
                null, null);
        registry.online(bare);
        assertThat(registry.get("bare")).contains(bare);
    }

    @Test
    void heartbeatCountsOnlyForTheCurrentOnlineSession() {
        ConnectionRegistry registry = registry(NODE_A);
        Instant at = now();
        registry.online(client("agent", "s1", NODE_A, at));

        registry.heartbeat("agent", "s1", at.plusSeconds(10));
        assertThat(registry.get("agent")).get().extracting(ClientInfo::lastHeartbeat).isEqualTo(at.plusSeconds(10));

        registry.heartbeat("agent", "other", at.plusSeconds(20));
        registry.heartbeat("nobody", "s1", at.plusSeconds(20));
        assertThat(registry.get("agent")).get().extracting(ClientInfo::lastHeartbeat).isEqualTo(at.plusSeconds(10));
        assertThat(registry.get("nobody")).isEmpty();

        registry.offline("agent", "s1", at.plusSeconds(25), "connection closed");
        registry.heartbeat("agent", "s1", at.plusSeconds(30));
        assertThat(registry.get("agent")).get().extracting(ClientInfo::lastHeartbeat).isEqualTo(at.plusSeconds(10));
    }

    @Test
    void offlineOnlyForTheCurrentSessionAndOnlyOnce() {
        ConnectionRegistry registry = registry(NODE_A);
        Instant at = now();
        ClientInfo online = client("agent", "s1", NODE_A, at);
        registry.online(online);

        assertThat(registry.offline("agent", "stale", at.plusSeconds(1), "connection closed")).isEmpty();
        assertThat(registry.get("agent")).get().matches(ClientInfo::online);

        Optional<ClientInfo> changed = registry.offline("agent", "s1", at.plusSeconds(2), "heartbeat timeout");
        ClientInfo expected = online.offline(at.plusSeconds(2), "heartbeat timeout");
        assertThat(changed).contains(expected);
        assertThat(registry.get("agent")).contains(expected);
        assertThat(registry.offline("agent", "s1", at.plusSeconds(3), "connection closed")).isEmpty();
        assertThat(registry.get("agent")).contains(expected);
        assertThat(registry.offline("nobody", "s1", at, "x")).isEmpty();
    }

    @Test
    void offlineWithoutReasonKeepsNoReason() {
        ConnectionRegistry registry = registry(NODE_A);
        Instant at = now();
        registry.online(client("agent", "s1", NODE_A, at));
        assertThat(registry.offline("agent", "s1", at.plusSeconds(1), null)).get()
                .satisfies(c -> assertThat(c.disconnectReason()).isNull())
                .satisfies(c -> assertThat(c.disconnectedAt()).isEqualTo(at.plusSeconds(1)));
    }

    @Test
    void aNewSessionReplacesTheOldOneWhoseOfflineThenChangesNothing() {
        ConnectionRegistry registry = registry(NODE_A);
        Instant at = now();
        registry.online(client("agent", "s1", NODE_A, at));
        ClientInfo newer = client("agent", "s2", NODE_A, at.plusSeconds(1));
        registry.online(newer);

        assertThat(registry.offline("agent", "s1", at.plusSeconds(2), "replaced")).isEmpty();
        registry.heartbeat("agent", "s1", at.plusSeconds(3));
        assertThat(registry.get("agent")).contains(newer);
        assertThat(registry.list()).containsExactly(newer);
    }

    @Test
    void aSessionOnAnotherNodeReplacesAndTheOldNodesOfflineChangesNothing() {
        Instant at = now();
        registry(NODE_A).online(client("agent", "s1", NODE_A, at));
        ClientInfo onB = client("agent", "s2", NODE_B, at.plusSeconds(1));
        registry(NODE_B).online(onB);

        assertThat(registry(NODE_A).offline("agent", "s1", at.plusSeconds(2), "connection closed")).isEmpty();
        registry(NODE_A).heartbeat("agent", "s1", at.plusSeconds(3));
        assertThat(registry(NODE_A).get("agent")).contains(onB);
        assertThat(registry(NODE_B).get("agent")).contains(onB);

        Optional<ClientInfo> gone = registry(NODE_B).offline("agent", "s2", at.plusSeconds(4), "connection closed");
        assertThat(gone).contains(onB.offline(at.plusSeconds(4), "connection closed"));
    }

    @Test
    void onlineAgainAfterOfflineClearsTheDeparture() {
        ConnectionRegistry registry = registry(NODE_A);
        Instant at = now();
        registry.online(client("agent", "s1", NODE_A, at));
        registry.offline("agent", "s1", at.plusSeconds(1), "connection closed");
        ClientInfo back = client("agent", "s2", NODE_A, at.plusSeconds(2));
        registry.online(back);
        assertThat(registry.get("agent")).contains(back);
    }

    @Test
    void removeForgetsAnAgent() {
        ConnectionRegistry registry = registry(NODE_A);
        Instant at = now();
        registry.online(client("keep", "s1", NODE_A, at));
        registry.online(client("drop", "s2", NODE_A, at));
        registry.offline("drop", "s2", at.plusSeconds(1), "connection closed");

        assertThat(registry.remove("drop")).isTrue();
        assertThat(registry.remove("drop")).isFalse();
        assertThat(registry.remove("never")).isFalse();
        assertThat(registry.get("drop")).isEmpty();
        assertThat(registry.list()).extracting(ClientInfo::id).containsExactly("keep");
        assertThat(registry.offline("drop", "s2", at.plusSeconds(2), "x")).isEmpty();
        registry.heartbeat("drop", "s2", at.plusSeconds(2));
        assertThat(registry.get("drop")).isEmpty();
    }

    @Test
    void reannounceRegistersASessionNobodyElseHolds() {
        ConnectionRegistry registry = registry(NODE_A);
        ClientInfo agent = client("agent", "s1", NODE_A, now());
        assertThat(registry.reannounce(agent)).isTrue();
        assertThat(registry.get("agent")).contains(agent);
        assertThat(registry.sweepLostNodes()).isEmpty();
    }
}
