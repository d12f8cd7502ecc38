package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heavier agent cases on one standalone node with real agent processes: 50 MB of output intact, an
 * agent frozen with SIGSTOP going offline and coming back after SIGCONT, a wrong token refused, a denied
 * command refused and audited, and one command to 100 agents (a simulated fleet in one agent process)
 * chosen by label.
 */
class AgentFleetIT {

    @TempDir
    static Path dir;
    static ClientManagerNode node;
    static final List<Event> events = new CopyOnWriteArrayList<>();
    static Subscription subscription;
    static final List<AgentProcess> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = ClientManagerNode.settings(dir);
        settings.put("CLIENT_MANAGER_HEARTBEAT_INTERVAL_MS", "500");
        settings.put("CLIENT_MANAGER_HEARTBEAT_TIMEOUT_MS", "2500");
        settings.put("CLIENT_MANAGER_COMMAND_DENY", "rm *,re:.*\\bshutdown\\b.*");
        node = ClientManagerNode.start(dir, settings);
        subscription = node.platform.kernel().events().subscribe("fleet-test", "*", events::add);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AgentProcess p : processes) {
            p.close();
        }
        subscription.close();
        node.close();
    }

    static AgentProcess agent(String id, String... extra) throws Exception {
        AgentProcess process = AgentProcess.agent(dir, node.agentUrl(), id, node.issueToken(id), extra);
        processes.add(process);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(online(id))
                .as("agent %s log:%n%s", id, process.output()).isTrue());
        return process;
    }

    static boolean online(String id) throws Exception {
        HttpResponse<String> response = node.get("/clients/" + id);
        return response.statusCode() == 200 && "online".equals(node.json(response).path("status").asText());
    }

    @Test
    void fiftyMegabytesOfOutputArriveIntact() throws Exception {
        agent("bulk");
        Path file = dir.resolve("fifty.bin");
        byte[] block = new byte[1 << 20];
        Random random = new Random(42);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < 50; i++) {
                random.nextBytes(block);
                out.write(block);
                expected.update(block);
            }
        }
        HttpResponse<String> response = node.send("POST", "/clients/bulk/commands", "{\"argv\":[\"cat\",\""
                + file + "\"],\"max_output_bytes\":" + (64 << 20) + ",\"timeout_ms\":120000,\"wait\":true}",
                ClientManagerNode.ADMIN_KEY);
        JsonNode job = node.json(response);
        JsonNode result = job.path("results").get(0);
        assertThat(result.path("state").asText()).as(response.body()).isEqualTo("succeeded");
        assertThat(result.path("output_bytes").asLong()).isEqualTo(50L << 20);
        assertThat(result.path("truncated").asBoolean()).isFalse();
        HttpResponse<byte[]> output = node.getBytes("/jobs/" + job.path("job_id").asText() + "/output?stream=stdout");
        assertThat(output.statusCode()).isEqualTo(200);
        assertThat(output.body()).hasSize(50 << 20);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(output.body())))
                .isEqualTo(HexFormat.of().formatHex(expected.digest()));
    }

    @Test
    void thirtyThousandFlushedLinesThroughTheReferenceAgentAreAllKept() throws Exception {
        agent("lines");
        String session = node.json(node.get("/clients/lines")).path("session_id").asText();
        String loop = "i=0; while [ $i -lt 30000 ]; do echo \\\"line $i\\\"; i=$((i+1)); done";
        HttpResponse<String> response = node.send("POST", "/clients/lines/commands", "{\"shell\":\"" + loop
                + "\",\"timeout_ms\":120000,\"wait\":true}", ClientManagerNode.ADMIN_KEY);
        JsonNode job = node.json(response);
        JsonNode result = job.path("results").get(0);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 30_000; i++) {
            expected.append("line ").append(i).append('\n');
        }
        assertThat(result.path("state").asText()).as(response.body()).isEqualTo("succeeded");
        assertThat(result.path("truncated").asBoolean()).isFalse();
        assertThat(result.has("output_lost_bytes")).isFalse();
        HttpResponse<byte[]> output = node.getBytes("/jobs/" + job.path("job_id").asText() + "/output?stream=stdout");
        assertThat(new String(output.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        JsonNode client = node.json(node.get("/clients/lines"));
        assertThat(client.path("status").asText()).isEqualTo("online");
        assertThat(client.path("session_id").asText()).as("the same socket all along").isEqualTo(session);
    }

    @Test
    void aSlowAdminReaderGetsDropsCountedInsteadOfGrowingTheNodesMemory() throws Exception {
        agent("chatty");
        Path file = dir.resolve("twenty.bin");
        byte[] block = new byte[1 << 20];
        new Random(7).nextBytes(block);
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < 20; i++) {
                out.write(block);
            }
        }
        JsonNode job = node.json(node.send("POST", "/clients/chatty/commands", "{\"shell\":\"sleep 1; cat " + file
                + "\",\"max_output_bytes\":" + (32 << 20) + "}", ClientManagerNode.ADMIN_KEY));
        String jobId = job.path("job_id").asText();
        RawSocket admin = RawSocket.connect(node.adminUrl(), ClientManagerNode.ADMIN_KEY);
        admin.paused = true;
        admin.send("{\"type\":\"subscribe\",\"job_id\":\"" + jobId + "\"}");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "completed".equals(node.json(node.get("/jobs/" + jobId)).path("state").asText()));
        admin.resume();
        JsonNode dropped = admin.next("dropped");
        assertThat(dropped.path("count").asLong()).isPositive();
        admin.send("{\"type\":\"ping\"}");
        assertThat(admin.next("pong")).isNotNull();
    }

    @Test
    void aFrozenAgentGoesOfflineAndComesBackAfterSigcont() throws Exception {
        AgentProcess frozen = agent("frozen");
        frozen.signal("STOP");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !online("frozen"));
            JsonNode client = node.json(node.get("/clients/frozen"));
            assertThat(client.path("disconnect_reason").asText()).isEqualTo("heartbeat timeout");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events).anySatisfy(e -> {
                assertThat(e.type()).isEqualTo("client.disconnected");
                assertThat(e.key()).isEqualTo("frozen");
                assertThat(e.data().path("reason").asText()).isEqualTo("heartbeat timeout");
            }));
        } finally {
            frozen.signal("CONT");
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(online("frozen"))
                .as("agent log:%n%s", frozen.output()).isTrue());
        JsonNode echo = node.json(node.send("POST", "/clients/frozen/commands", "{\"argv\":[\"echo\",\"back\"],\"wait\":true}",
                ClientManagerNode.ADMIN_KEY));
        assertThat(echo.path("results").get(0).path("stdout").asText()).isEqualTo("back\n");
    }

    @Test
    void aCommandWithAQueueTtlWaitsForItsAgentAndTheJobIsKeptInStorage() throws Exception {
        String token = node.issueToken("late");
        HttpResponse<String> queued = node.send("POST", "/clients/late/commands",
                "{\"argv\":[\"echo\",\"worth the wait\"],\"queue_ttl_ms\":120000}", ClientManagerNode.ADMIN_KEY);
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
        String jobId = node.json(queued).path("job_id").asText();
        assertThat(node.json(queued).path("results").get(0).path("state").asText()).isEqualTo("queued");
        AgentProcess late = AgentProcess.agent(dir, node.agentUrl(), "late", token);
        processes.add(late);
        JsonNode done = await().atMost(Duration.ofSeconds(60)).until(() -> node.json(node.get("/jobs/" + jobId)),
                job -> "completed".equals(job.path("state").asText()));
        assertThat(done.path("results").get(0).path("stdout").asText()).isEqualTo("worth the wait\n");
        // the record reaches Storage (written behind within a second)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> stored = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + node.corePort + "/api/admin/v1/storage/client_manager.jobs/" + jobId))
                    .header("Authorization", "Bearer " + ClientManagerNode.ADMIN_KEY).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stored.statusCode()).isEqualTo(200);
            assertThat(stored.body()).contains("\"succeeded\"").contains(jobId);
        });

        HttpResponse<String> expired = node.send("POST", "/clients/never-comes/commands",
                "{\"shell\":\"true\",\"queue_ttl_ms\":500,\"wait\":true}", ClientManagerNode.ADMIN_KEY);
        assertThat(node.json(expired).path("results").get(0).path("state").asText()).isEqualTo("expired");
    }

    @Test
    void anAgentWithAWrongTokenIsRefusedAndExits() throws Exception {
        node.issueToken("forged");
        AgentProcess forged = AgentProcess.agent(dir, node.agentUrl(), "forged", "forged.not-the-secret");
        processes.add(forged);
        assertThat(forged.process.waitFor(60, TimeUnit.SECONDS)).as(forged.output()).isTrue();
        assertThat(forged.process.exitValue()).as(forged.output()).isEqualTo(3);
        assertThat(node.get("/clients/forged").statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events)
                .anySatisfy(e -> assertThat(e.type()).isEqualTo("audit.agent.auth_refused")));
    }

    @Test
    void aDeniedCommandIsRefusedWithItsReasonAndAudited() throws Exception {
        agent("guarded");
        HttpResponse<String> refused = node.send("POST", "/clients/guarded/commands", "{\"shell\":\"rm -rf /tmp/anything\"}",
                ClientManagerNode.ADMIN_KEY);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(node.json(refused).path("detail").asText()).contains("deny pattern 'rm *'");
        HttpResponse<String> regex = node.send("POST", "/clients/guarded/commands",
                "{\"argv\":[\"sudo\",\"shutdown\",\"-h\",\"now\"]}", ClientManagerNode.ADMIN_KEY);
        assertThat(regex.statusCode()).isEqualTo(403);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events)
                .filteredOn(e -> e.type().equals("audit.command.refused"))
                .extracting(e -> e.data().path("details").path("command").asText())
                .contains("rm -rf /tmp/anything", "sudo shutdown -h now"));
        assertThat(node.json(node.send("POST", "/clients/guarded/commands", "{\"shell\":\"echo allowed\",\"wait\":true}",
                ClientManagerNode.ADMIN_KEY)).path("results").get(0).path("state").asText()).isEqualTo("succeeded");
    }

    @Test
    void oneCommandToAHundredAgentsChosenByLabel() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String id = "sim-" + i;
            lines.add(id + " " + node.issueToken(id));
        }
        Path tokens = dir.resolve("fleet-tokens.txt");
        Files.write(tokens, lines);
        AgentProcess fleet = AgentProcess.start(dir, "fleet", List.of("--url", node.agentUrl(), "--simulate", "100",
                "--tokens-file", tokens.toString(), "--label", "group=fleet"));
        processes.add(fleet);
        agent("outsider", "--label", "group=other");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(node.json(
                node.get("/clients?status=online&label=group=fleet")).path("count").asInt())
                .as(fleet.output()).isEqualTo(100));

        HttpResponse<String> response = node.send("POST", "/commands",
                "{\"target\":{\"labels\":{\"group\":\"fleet\"}},\"shell\":\"hostname\",\"wait\":true}", ClientManagerNode.ADMIN_KEY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode job = node.json(response);
        assertThat(job.path("summary").path("total").asInt()).isEqualTo(100);
        assertThat(job.path("summary").path("succeeded").asInt()).isEqualTo(100);
        assertThat(job.path("results").findValuesAsText("agent_id")).hasSize(100).allMatch(id -> id.startsWith("sim-"));
        assertThat(job.path("results").findValuesAsText("stdout")).allMatch("hostname\n"::equals);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events)
                .filteredOn(e -> e.type().equals("command.completed") && job.path("job_id").asText().equals(e.key()))
                .hasSize(100));
    }
}
