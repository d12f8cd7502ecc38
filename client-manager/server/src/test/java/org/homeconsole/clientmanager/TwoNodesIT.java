package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.homeconsole.testsupport.KafkaSupport;
import org.homeconsole.testsupport.PostgresSupport;
import org.homeconsole.testsupport.RedisSupport;
import org.homeconsole.testsupport.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two client-manager nodes acting as one (issue 4): node A in its own JVM (so it can be killed with
 * SIGKILL), node B in this JVM; both standalone on their own ports, sharing real Kafka, real Redis
 * (connection registry) and one PostgreSQL schema (tokens, job records); real agent processes.
 */
class TwoNodesIT {

    @TempDir
    Path dir;
    RedisSupport.PrivateRedis redisServer;
    NodeProcess nodeA;
    ClientManagerNode nodeB;
    final List<AgentProcess> agents = new ArrayList<>();
    String urlA;
    String urlB;

    @BeforeEach
    void startNodes() throws Exception {
        String prefix = KafkaSupport.uniqueName("hc");
        String database = PostgresSupport.jdbcUrlForFreshSchema("cm_two_nodes");
        redisServer = RedisSupport.startPrivate();
        String redis = redisServer.uri();

        Map<String, String> a = TestNodes.settings(dir.resolve("a"), ClientManagerNode.REPO_ROUTES);
        Files.createDirectories(dir.resolve("a"));
        a.putAll(Map.of("HOMECONSOLE_NODE_ID", "node-a-" + prefix, "HOMECONSOLE_TOPIC_PREFIX", prefix,
                "DATABASE_URL", database, "REDIS_URL", redis, "CLIENT_MANAGER_HOST", "127.0.0.1",
                "CLIENT_MANAGER_PORT", String.valueOf(TestNodes.freePort()),
                "CLIENT_MANAGER_HEARTBEAT_INTERVAL_MS", "1000", "CLIENT_MANAGER_NODE_TTL_MS", "3000"));
        nodeA = NodeProcess.start(dir.resolve("a"), "node-a", a);
        urlA = "ws://127.0.0.1:" + a.get("CLIENT_MANAGER_PORT") + "/ws";

        Map<String, String> b = ClientManagerNode.settings(dir.resolve("b"));
        b.putAll(Map.of("HOMECONSOLE_NODE_ID", "node-b-" + prefix, "HOMECONSOLE_TOPIC_PREFIX", prefix,
                "DATABASE_URL", database, "REDIS_URL", redis,
                "CLIENT_MANAGER_HEARTBEAT_INTERVAL_MS", "1000", "CLIENT_MANAGER_NODE_TTL_MS", "3000"));
        nodeB = ClientManagerNode.start(dir.resolve("b"), b);
        urlB = nodeB.agentUrl();
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (AgentProcess agent : agents) {
            agent.close();
        }
        nodeB.close();
        nodeA.close();
        redisServer.close();
    }

    AgentProcess agent(String id, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--id", id, "--token", nodeB.issueToken(id)));
        args.addAll(List.of(extra));
        AgentProcess agent = AgentProcess.start(dir, id, args);
        agents.add(agent);
        return agent;
    }

    JsonNode client(String id) throws Exception {
        HttpResponse<String> response = nodeB.get("/clients/" + id);
        return response.statusCode() == 200 ? nodeB.json(response) : nodeB.JSON.createObjectNode();
    }

    @Test
    void aCommandSentToNodeBRunsOnAnAgentHeldByNodeAAndItsOutputComesBackThroughB() throws Exception {
        RawSocket admin = RawSocket.connect(nodeB.adminUrl(), ClientManagerNode.ADMIN_KEY);
        admin.send("{\"type\":\"subscribe\",\"topic\":\"clients\"}");
        admin.next("subscribed");
        agent("on-a", "--url", urlA);
        await().atMost(Duration.ofSeconds(60)).until(() -> "online".equals(client("on-a").path("status").asText()));
        assertThat(client("on-a").path("node").asText()).startsWith("node-a-");
        JsonNode event = admin.next("event");
        assertThat(event.path("event_type").asText()).as("node B's admin socket sees node A's agents").isEqualTo("client.connected");
        assertThat(event.path("data").path("node").asText()).startsWith("node-a-");

        HttpResponse<String> response = nodeB.send("POST", "/clients/on-a/commands",
                "{\"shell\":\"echo from A; echo to stderr >&2; seq 1 20000\",\"wait\":true}", ClientManagerNode.ADMIN_KEY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode result = nodeB.json(response).path("results").get(0);
        assertThat(result.path("state").asText()).isEqualTo("succeeded");
        String jobId = nodeB.json(response).path("job_id").asText();
        byte[] stdout = nodeB.getBytes("/jobs/" + jobId + "/output?stream=stdout").body();
        StringBuilder expected = new StringBuilder("from A\n");
        for (int i = 1; i <= 20000; i++) {
            expected.append(i).append('\n');
        }
        assertThat(new String(stdout)).isEqualTo(expected.toString());
        assertThat(new String(nodeB.getBytes("/jobs/" + jobId + "/output?stream=stderr").body())).isEqualTo("to stderr\n");
    }

    @Test
    void oneJobByLabelReachesAHundredAgentsSpreadOverBothNodes() throws Exception {
        List<String> onA = new ArrayList<>();
        List<String> onB = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            onA.add("fa-" + i + " " + nodeB.issueToken("fa-" + i));
            onB.add("fb-" + i + " " + nodeB.issueToken("fb-" + i));
        }
        Files.write(dir.resolve("a-tokens"), onA);
        Files.write(dir.resolve("b-tokens"), onB);
        agents.add(AgentProcess.start(dir, "fleet-a", List.of("--url", urlA, "--simulate", "50",
                "--tokens-file", dir.resolve("a-tokens").toString(), "--label", "fleet=mixed")));
        agents.add(AgentProcess.start(dir, "fleet-b", List.of("--url", urlB, "--simulate", "50",
                "--tokens-file", dir.resolve("b-tokens").toString(), "--label", "fleet=mixed")));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                nodeB.json(nodeB.get("/clients?status=online&label=fleet=mixed")).path("count").asInt() == 100);

        HttpResponse<String> response = nodeB.send("POST", "/commands",
                "{\"target\":{\"labels\":{\"fleet\":\"mixed\"}},\"shell\":\"whoami\",\"wait\":true}", ClientManagerNode.ADMIN_KEY);
        JsonNode job = nodeB.json(response);
        assertThat(job.path("summary").path("succeeded").asInt()).as(response.body()).isEqualTo(100);
        assertThat(job.path("results").findValuesAsText("stdout")).allMatch("whoami\n"::equals);
    }

    @Test
    void afterARedisRestartTheNodesReannounceTheirAgents() throws Exception {
        agent("stays-a", "--url", urlA);
        agent("stays-b", "--url", urlB);
        await().atMost(Duration.ofSeconds(60)).until(() -> "online".equals(client("stays-a").path("status").asText())
                && "online".equals(client("stays-b").path("status").asText()));
        redisServer.stop();
        HttpResponse<String> during = nodeB.get("/clients");
        assertThat(during.statusCode()).as("a clear error while the registry is away: " + during.body()).isGreaterThanOrEqualTo(500);
        redisServer.start();
        long restartedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> "online".equals(client("stays-a").path("status").asText())
                && "online".equals(client("stays-b").path("status").asText()));
        System.out.println("TwoNodesIT: registry whole again " + (System.nanoTime() - restartedAt) / 1_000_000
                + " ms after Redis came back empty");
        JsonNode echo = nodeB.json(nodeB.send("POST", "/clients/stays-a/commands", "{\"argv\":[\"echo\",\"still here\"],\"wait\":true}",
                ClientManagerNode.ADMIN_KEY));
        assertThat(echo.path("results").get(0).path("stdout").asText()).isEqualTo("still here\n");
    }

    @Test
    void killingANodeEndsItsCommandsClearlyAndItsAgentsComeBackThroughTheOther() throws Exception {
        agent("mover", "--url", urlA, "--url", urlB);
        AgentProcess stranded = agent("stranded", "--url", urlA);
        await().atMost(Duration.ofSeconds(60)).until(() -> "online".equals(client("mover").path("status").asText())
                && "online".equals(client("stranded").path("status").asText()));
        assertThat(client("mover").path("node").asText()).startsWith("node-a-");

        // commands keep flowing from B while A dies
        Map<String, String> outcomes = new ConcurrentHashMap<>();
        AtomicBoolean flowing = new AtomicBoolean(true);
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            int i = 0;
            while (flowing.get()) {
                try {
                    HttpResponse<String> r = nodeB.send("POST", "/clients/mover/commands",
                            "{\"shell\":\"sleep 0.2; echo " + i + "\",\"wait\":true,\"timeout_ms\":5000}", ClientManagerNode.ADMIN_KEY);
                    JsonNode body = nodeB.json(r);
                    outcomes.put("c" + i, r.statusCode() + " " + body.path("results").path(0).path("state").asText(body.path("detail").asText()));
                } catch (Exception e) {
                    outcomes.put("c" + i, "exception " + e);
                }
                i++;
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.size() >= 3);
        long killedAt = System.nanoTime();
        nodeA.kill();
        await().atMost(Duration.ofSeconds(90)).until(() -> "online".equals(client("mover").path("status").asText())
                && client("mover").path("node").asText().startsWith("node-b-"));
        long reachableMs = (System.nanoTime() - killedAt) / 1_000_000;
        // the entries of the dead node expire with its liveness (3 s here), whoever asks
        await().atMost(Duration.ofSeconds(30)).until(() -> "offline".equals(client("stranded").path("status").asText()));
        long expiredMs = (System.nanoTime() - killedAt) / 1_000_000;
        assertThat(client("stranded").path("disconnect_reason").asText()).startsWith("node node-a-").endsWith("lost");
        int before = outcomes.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.values().stream().skip(0).anyMatch(v -> v.endsWith("succeeded"))
                && outcomes.size() > before + 2);
        flowing.set(false);
        load.get();
        System.out.println("TwoNodesIT: agent reachable again through node B " + reachableMs + " ms after kill -9 of node A; its entries expired after " + expiredMs + " ms; "
                + "outcomes " + outcomes.values().stream().collect(java.util.stream.Collectors.groupingBy(v -> v,
                java.util.stream.Collectors.counting())));
        // every command ended as a success or an explicit failure; none hung, none reported done wrongly
        assertThat(outcomes.values()).allMatch(v -> v.matches("200 (succeeded|lost|offline)") || v.startsWith("409 "),
                "success or explicit failure");
        assertThat(outcomes.values()).anyMatch(v -> v.equals("200 succeeded"));

        // a restarted node A (same id) does not bring back what its predecessor held
        stranded.close();
        nodeA = NodeProcess.start(dir.resolve("a"), "node-a-again", nodeA.settings);
        assertThat(client("stranded").path("status").asText()).isEqualTo("offline");
        assertThat(client("mover").path("node").asText()).startsWith("node-b-");
    }
}
