package org.homeconsole.clientmanager.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.homeconsole.testsupport.RedisSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry contract on the Redis registry (each node id its own registry instance, all under one key prefix of
 * this test on the shared test Redis), and what only a shared registry does: other nodes see the clients, a node that
 * dies stops holding them, Redis losing its data is noticed, ten thousand clients list.
 */
class RedisConnectionRegistryIT extends ConnectionRegistryContract {

    private static final Logger LOG = LoggerFactory.getLogger(RedisConnectionRegistryIT.class);
    private static final Duration SHORT_TTL = Duration.ofMillis(1500);

    private final Map<String, RedisConnectionRegistry> registries = new HashMap<>();
    private final List<RedisConnectionRegistry> extra = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void prefix() {
        prefix = RedisSupport.uniqueKeyPrefix("cm-registry");
    }

    @AfterEach
    void closeRegistries() {
        registries.values().forEach(RedisConnectionRegistry::close);
        extra.forEach(RedisConnectionRegistry::close);
    }

    @Override
    ConnectionRegistry registry(String nodeId) {
        return registries.computeIfAbsent(nodeId, id -> started(RedisSupport.redisUri(), id, Duration.ofSeconds(5), null));
    }

    private RedisConnectionRegistry startedWithMaxOffline(int maxOffline) {
        RedisConnectionRegistry registry = new RedisConnectionRegistry(RedisSupport.redisUri(), NODE_A, prefix,
                Duration.ofSeconds(5), RedisConnectionRegistry.DEFAULT_COMMAND_TIMEOUT, maxOffline, null);
        extra.add(registry);
        registry.start();
        return registry;
    }

    private RedisConnectionRegistry started(String uri, String nodeId, Duration ttl, Runnable onStateLost) {
        RedisConnectionRegistry registry = new RedisConnectionRegistry(uri, nodeId, prefix, ttl,
                RedisConnectionRegistry.DEFAULT_COMMAND_TIMEOUT, onStateLost);
        extra.add(registry);
        registry.start();
        return registry;
    }

    @Test
    void anotherNodeSeesTheClientsOfTheFirst() {
        Instant at = now();
        registry(NODE_A).online(client("a1", "s1", NODE_A, at));
        registry(NODE_A).online(client("a2", "s2", NODE_A, at));
        registry(NODE_B).online(client("b1", "s3", NODE_B, at));

        ConnectionRegistry b = registry(NODE_B);
        assertThat(b.get("a1")).contains(client("a1", "s1", NODE_A, at));
        assertThat(b.list()).extracting(ClientInfo::id, ClientInfo::node, ClientInfo::status).containsExactly(
                tuple("a1", NODE_A, ClientInfo.ONLINE),
                tuple("a2", NODE_A, ClientInfo.ONLINE),
                tuple("b1", NODE_B, ClientInfo.ONLINE));
    }

    @Test
    void aRegistryRegistersOnlyItsOwnNodesSessions() {
        assertThatThrownBy(() -> registry(NODE_A).online(client("x", "s", NODE_B, now())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theClientsOfAKilledNodeReadAsLostWithinTheTtlAndAreSweptExactlyOnce() throws Exception {
        String redis = RedisSupport.redisUri();
        RedisConnectionRegistry doomed = started(redis, "node-doomed", SHORT_TTL, null);
        RedisConnectionRegistry b = started(redis, NODE_B, SHORT_TTL, null);
        RedisConnectionRegistry c = started(redis, "node-c", SHORT_TTL, null);
        Instant at = now();
        int count = 2000;
        for (int i = 0; i < count; i++) {
            doomed.online(client(String.format("d%04d", i), "s" + i, "node-doomed", at));
        }
        doomed.heartbeat("d0000", "s0", at.plusMillis(500));
        assertThat(doomed.get("d0000")).get().extracting(ClientInfo::lastHeartbeat).isEqualTo(at.plusMillis(500));
        b.online(client("b-agent", "sb", NODE_B, at));
        // the doomed node's last session has just been replaced by one on node b: that one must stay online
        b.online(client("d1999", "s-moved", NODE_B, at.plusMillis(600)));

        assertThat(b.get("d0000")).get().matches(ClientInfo::online);
        assertThat(c.sweepLostNodes()).isEmpty();

        long killedAt = System.nanoTime();
        doomed.crash();
        await().atMost(SHORT_TTL.plusSeconds(2)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(b.get("d0000")).get().matches(x -> !x.online()));
        long lostAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        LOG.info("Clients of the killed node read as lost after {} ms (TTL {} ms)", lostAfterMs, SHORT_TTL.toMillis());
        assertThat(lostAfterMs).isLessThanOrEqualTo(SHORT_TTL.toMillis() + 1000);

        ClientInfo seen = b.get("d0000").orElseThrow();
        assertThat(seen.disconnectReason()).isEqualTo("node node-doomed lost");
        assertThat(seen.disconnectedAt()).isEqualTo(at.plusMillis(500));
        assertThat(b.list()).filteredOn(x -> x.node().equals("node-doomed")).hasSize(count - 1).noneMatch(ClientInfo::online);
        assertThat(b.get("d1999")).get().matches(ClientInfo::online).extracting(ClientInfo::sessionId).isEqualTo("s-moved");
        assertThat(b.get("b-agent")).get().matches(ClientInfo::online);

        // two nodes sweep at the same time: each lost client is reported by exactly one of them
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            Callable<List<ClientInfo>> sweepB = () -> {
                go.await();
                return b.sweepLostNodes();
            };
            Callable<List<ClientInfo>> sweepC = () -> {
                go.await();
                return c.sweepLostNodes();
            };
            Future<List<ClientInfo>> fromB = pool.submit(sweepB);
            Future<List<ClientInfo>> fromC = pool.submit(sweepC);
            go.countDown();
            List<ClientInfo> sweptB = fromB.get(30, TimeUnit.SECONDS);
            List<ClientInfo> sweptC = fromC.get(30, TimeUnit.SECONDS);
            LOG.info("Concurrent sweeps: node b took {}, node c took {}", sweptB.size(), sweptC.size());

            Set<String> ids = new HashSet<>();
            List<ClientInfo> all = new ArrayList<>(sweptB);
            all.addAll(sweptC);
            for (ClientInfo swept : all) {
                assertThat(ids.add(swept.id())).as("%s reported twice", swept.id()).isTrue();
                assertThat(swept.online()).isFalse();
                assertThat(swept.disconnectReason()).isEqualTo("node node-doomed lost");
            }
            assertThat(ids).hasSize(count - 1).doesNotContain("d1999", "b-agent");
        } finally {
            pool.shutdownNow();
        }
        assertThat(b.sweepLostNodes()).isEmpty();
        assertThat(c.sweepLostNodes()).isEmpty();
        // durably offline now, with the same reason and time readers saw before
        assertThat(c.get("d0000")).contains(seen);
        // a lost client's old session cannot bring it back; a new session can
        b.heartbeat("d0001", "s1", now());
        assertThat(b.get("d0001")).get().matches(x -> !x.online());
        b.online(client("d0001", "s-new", NODE_B, now()));
        assertThat(c.get("d0001")).get().matches(ClientInfo::online);
    }

    @Test
    void aNodeClosedCleanlyStopsHoldingItsClientsAtOnce() {
        RedisConnectionRegistry leaving = started(RedisSupport.redisUri(), "node-leaving", Duration.ofSeconds(30), null);
        leaving.online(client("agent", "s1", "node-leaving", now()));
        leaving.close();
        assertThat(registry(NODE_B).get("agent")).get()
                .satisfies(c -> assertThat(c.online()).isFalse())
                .satisfies(c -> assertThat(c.disconnectReason()).isEqualTo("node node-leaving lost"));
        assertThat(registry(NODE_B).sweepLostNodes()).extracting(ClientInfo::id).containsExactly("agent");
    }

    @Test
    void aNodeRestartedUnderTheSameIdDoesNotHoldItsPreviousIncarnationsClients() {
        String redis = RedisSupport.redisUri();
        RedisConnectionRegistry first = started(redis, NODE_A, Duration.ofSeconds(30), null);
        first.online(client("old", "s1", NODE_A, now()));
        first.crash();
        RedisConnectionRegistry second = started(redis, NODE_A, Duration.ofSeconds(30), null);
        second.online(client("new", "s2", NODE_A, now()));

        assertThat(second.get("old")).get().matches(c -> !c.online());
        assertThat(second.get("new")).get().matches(ClientInfo::online);
        assertThat(second.sweepLostNodes()).extracting(ClientInfo::id).containsExactly("old");
        assertThat(second.get("new")).get().matches(ClientInfo::online);
    }

    @Test
    void reannounceLeavesAnAgentThatALiveNodeHoldsNow() {
        Instant at = now();
        ClientInfo onA = client("agent", "s1", NODE_A, at);
        registry(NODE_A).online(onA);
        ClientInfo onB = client("agent", "s2", NODE_B, at.plusSeconds(1));
        registry(NODE_B).online(onB);

        assertThat(registry(NODE_A).reannounce(onA)).isFalse();
        assertThat(registry(NODE_A).get("agent")).contains(onB);

        registry(NODE_B).offline("agent", "s2", at.plusSeconds(2), "connection closed");
        assertThat(registry(NODE_A).reannounce(onA)).isTrue();
        assertThat(registry(NODE_B).get("agent")).contains(onA);
    }

    @Test
    void redisLosingItsDataIsNoticedAndTheNodeAnnouncesAgain() throws Exception {
        try (RedisSupport.PrivateRedis redis = RedisSupport.startPrivate()) {
            LOG.info("Private Redis {} ({})", redis.uri(), redis.binary());
            AtomicInteger lost = new AtomicInteger();
            CountDownLatch lostOnce = new CountDownLatch(1);
            ClientInfo agent = client("agent", "s1", NODE_A, now());
            RedisConnectionRegistry[] holder = new RedisConnectionRegistry[1];
            RedisConnectionRegistry a = started(redis.uri(), NODE_A, SHORT_TTL, () -> {
                lost.incrementAndGet();
                // what a node does: announce again the sessions it still holds
                holder[0].reannounce(agent);
                lostOnce.countDown();
            });
            holder[0] = a;
            RedisConnectionRegistry b = started(redis.uri(), NODE_B, SHORT_TTL, null);
            a.online(agent);
            assertThat(b.get("agent")).contains(agent);

            redis.stop();
            // calls fail fast, with an exception the caller logs, while Redis is away
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                long started = System.nanoTime();
                assertThatThrownBy(() -> a.online(agent)).isInstanceOf(RegistryUnavailableException.class);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3000);
            });
            long started = System.nanoTime();
            assertThatThrownBy(() -> a.heartbeat("agent", "s1", now())).isInstanceOf(RegistryUnavailableException.class);
            assertThatThrownBy(() -> b.get("agent")).isInstanceOf(RegistryUnavailableException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3000);
            assertThat(lost).hasValue(0);

            redis.start();
            long restartedAt = System.nanoTime();
            assertThat(lostOnce.await(10, TimeUnit.SECONDS)).as("onStateLost called").isTrue();
            LOG.info("State loss noticed {} ms after Redis came back",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(b.get("agent")).contains(agent));
            a.heartbeat("agent", "s1", agent.lastHeartbeat().plusSeconds(5));
            // a heartbeat is not waited for: another node's connection sees it shortly after
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(b.get("agent")).get()
                    .extracting(ClientInfo::lastHeartbeat).isEqualTo(agent.lastHeartbeat().plusSeconds(5)));
            // node b's liveness came back too: its renewals noticed the loss as well (no callback given to it)
            b.online(client("other", "s9", NODE_B, now()));
            assertThat(a.get("other")).get().matches(ClientInfo::online);
            Thread.sleep(SHORT_TTL.toMillis());
            assertThat(lost).hasValue(1);
        }
    }

    @Test
    void tenThousandClientsList() {
        ConnectionRegistry a = registry(NODE_A);
        ConnectionRegistry b = registry(NODE_B);
        Instant at = now();
        int count = 10_000;
        long writeStart = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String node = i % 2 == 0 ? NODE_A : NODE_B;
            (i % 2 == 0 ? a : b).online(client(String.format("agent-%05d", i), "s" + i, node, at));
        }
        long writeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - writeStart);
        b.offline("agent-00001", "s1", at.plusSeconds(1), "connection closed");

        List<ClientInfo> all = null;
        List<Long> listMs = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            long listStart = System.nanoTime();
            all = a.list();
            listMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - listStart));
        }
        LOG.info("{} clients: registered one by one in {} ms, listed in {} ms", count, writeMs, listMs);

        assertThat(all).hasSize(count);
        for (int i = 0; i < count; i++) {
            ClientInfo c = all.get(i);
            assertThat(c.id()).isEqualTo(String.format("agent-%05d", i));
            assertThat(c.node()).isEqualTo(i % 2 == 0 ? NODE_A : NODE_B);
            assertThat(c.online()).isEqualTo(i != 1);
        }
        assertThat(all.get(4)).isEqualTo(client("agent-00004", "s4", NODE_A, at));
    }

    @Test
    void theLongestGoneOfflineAgentsAreForgottenBeyondMaxOfflineAndOnlineOnesNever() {
        RedisConnectionRegistry small = startedWithMaxOffline(10);
        Instant start = now();
        for (int i = 0; i < 100; i++) {
            small.online(client(String.format("agent-%03d", i), "s-" + i, NODE_A, start));
        }
        for (int i = 0; i < 30; i++) {
            small.offline(String.format("agent-%03d", i), "s-" + i, start.plusSeconds(i), "gone");
        }
        // agent-000 went away first but is back: never forgotten
        small.online(client("agent-000", "s-0b", NODE_A, start.plusSeconds(40)));
        assertThat(small.trimOffline()).as("offline now 29, kept 9").isEqualTo(20);
        assertThat(small.trimOffline()).isZero();

        List<ClientInfo> all = small.list();
        assertThat(all.stream().filter(c -> !c.online()).map(ClientInfo::id))
                .containsExactly("agent-021", "agent-022", "agent-023", "agent-024", "agent-025", "agent-026",
                        "agent-027", "agent-028", "agent-029");
        assertThat(all.stream().filter(ClientInfo::online)).hasSize(71);
        assertThat(small.get("agent-001")).isEmpty();
        assertThat(small.remove("agent-029")).isTrue();
        small.offline("agent-000", "s-0b", start.plusSeconds(50), "gone again");
        assertThat(small.trimOffline()).as("9 offline again, at most 10").isZero();
    }

    @Test
    void aLargeTrimGoesInChunksDownToNineTenths() {
        RedisConnectionRegistry registry = startedWithMaxOffline(1_000);
        Instant start = now();
        for (int i = 0; i < 2_500; i++) {
            String id = String.format("agent-%05d", i);
            registry.online(client(id, "s-" + i, NODE_A, start));
            registry.offline(id, "s-" + i, start.plusMillis(i), "gone");
        }
        assertThat(registry.trimOffline()).as("2,500 offline, 900 kept, in chunks of 1,000").isEqualTo(1_600);
        List<ClientInfo> left = registry.list();
        assertThat(left).hasSize(900);
        assertThat(left.get(0).id()).isEqualTo("agent-01600");
    }
}
