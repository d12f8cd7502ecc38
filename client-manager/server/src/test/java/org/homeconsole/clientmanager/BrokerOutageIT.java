package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.homeconsole.api.events.Event;
import org.homeconsole.connector.kafka.broker.EmbeddedKafkaBroker;
import org.homeconsole.testsupport.KafkaSupport;
import org.homeconsole.testsupport.PostgresSupport;
import org.homeconsole.testsupport.RedisSupport;
import org.homeconsole.testsupport.TestNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on a Kafka broker of the test's own, stopped for a while and started again on the same port
 * and data: while it is down a call for an agent held by the other node fails fast and clearly, and never
 * runs late; an agent on the node asked keeps working; an event published meanwhile is delivered once the
 * broker is back.
 */
class BrokerOutageIT {

    @TempDir
    Path dir;

    @Test
    void aShortBrokerOutageFailsCrossNodeCallsFastLosesNoEventAndRunsNothingLate() throws Exception {
        int port = TestNodes.freePort();
        Path kafkaData = dir.resolve("kafka");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(kafkaData).host("127.0.0.1").port(port).build().start();
        List<AutoCloseable> closers = new ArrayList<>();
        try (RedisSupport.PrivateRedis redis = RedisSupport.startPrivate()) {
            String prefix = KafkaSupport.uniqueName("hc");
            Map<String, String> common = Map.of("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "HOMECONSOLE_TOPIC_PREFIX", prefix, "REDIS_URL", redis.uri(),
                    "DATABASE_URL", PostgresSupport.jdbcUrlForFreshSchema("cm_outage"));
            Map<String, String> a = TestNodes.settings(dir.resolve("a"), ClientManagerNode.REPO_ROUTES);
            Files.createDirectories(dir.resolve("a"));
            a.putAll(common);
            a.putAll(Map.of("HOMECONSOLE_NODE_ID", "outage-a-" + prefix, "CLIENT_MANAGER_HOST", "127.0.0.1",
                    "CLIENT_MANAGER_PORT", String.valueOf(TestNodes.freePort())));
            NodeProcess nodeA = NodeProcess.start(dir.resolve("a"), "node-a", a);
            closers.add(nodeA);
            Map<String, String> b = ClientManagerNode.settings(dir.resolve("b"));
            b.putAll(common);
            b.put("HOMECONSOLE_NODE_ID", "outage-b-" + prefix);
            ClientManagerNode nodeB = ClientManagerNode.start(dir.resolve("b"), b);
            closers.add(0, nodeB);
            List<Event> received = new CopyOnWriteArrayList<>();
            nodeB.platform.kernel().events().subscribe("outage-test", "test.outage", received::add);

            AgentProcess viaA = AgentProcess.agent(dir, "ws://127.0.0.1:" + a.get("CLIENT_MANAGER_PORT") + "/ws", "via-a",
                    nodeB.issueToken("via-a"));
            closers.add(0, viaA);
            AgentProcess onB = AgentProcess.agent(dir, nodeB.agentUrl(), "on-b", nodeB.issueToken("on-b"));
            closers.add(0, onB);
            await().atMost(Duration.ofSeconds(60)).until(() -> online(nodeB, "via-a") && online(nodeB, "on-b"));
            assertThat(state(run(nodeB, "via-a", "{\"argv\":[\"echo\",\"before\"],\"wait\":true}"))).isEqualTo("succeeded");

            broker.close();
            Path ranLate = dir.resolve("ran-during-outage");
            long asked = System.nanoTime();
            JsonNode crossNode = run(nodeB, "via-a", "{\"argv\":[\"touch\",\"" + ranLate + "\"],\"wait\":true}");
            long answeredMs = (System.nanoTime() - asked) / 1_000_000;
            assertThat(state(crossNode)).as(crossNode.toString()).isEqualTo("offline");
            assertThat(crossNode.path("results").get(0).path("error").asText()).contains("did not answer");
            assertThat(state(run(nodeB, "on-b", "{\"argv\":[\"echo\",\"local\"],\"wait\":true}")))
                    .as("an agent on the node asked needs no broker").isEqualTo("succeeded");
            // a plugin publishing meanwhile (on a thread of its own: publish may wait for the broker's metadata)
            CompletableFuture<Event> published = CompletableFuture.supplyAsync(() -> nodeB.platform.kernel().events()
                    .publish("test.outage", "k", Map.of("during", "outage"))).thenCompose(f -> f);
            Thread.sleep(2_000);
            assertThat(published).as("not reported published while the broker is down").isNotDone();

            broker = EmbeddedKafkaBroker.builder(kafkaData).host("127.0.0.1").port(port).build().start();
            assertThat(published.get(120, TimeUnit.SECONDS).type()).isEqualTo("test.outage");
            await().atMost(Duration.ofSeconds(60)).until(() -> !received.isEmpty());
            await().atMost(Duration.ofSeconds(90)).until(() ->
                    "succeeded".equals(state(run(nodeB, "via-a", "{\"argv\":[\"echo\",\"after\"],\"wait\":true}"))));
            assertThat(ranLate).as("the command refused during the outage never ran").doesNotExist();
            System.out.println("BrokerOutageIT: cross-node call answered in " + answeredMs + " ms with the broker down");
        } finally {
            for (AutoCloseable closer : closers) {
                closer.close();
            }
            broker.close();
        }
    }

    private static boolean online(ClientManagerNode node, String id) throws Exception {
        HttpResponse<String> response = node.get("/clients/" + id);
        return response.statusCode() == 200 && "online".equals(node.json(response).path("status").asText());
    }

    private static JsonNode run(ClientManagerNode node, String agent, String body) throws Exception {
        return node.json(node.send("POST", "/clients/" + agent + "/commands", body, ClientManagerNode.ADMIN_KEY));
    }

    private static String state(JsonNode job) {
        return job.path("results").path(0).path("state").asText(job.path("detail").asText());
    }
}
