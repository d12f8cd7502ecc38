package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands on a real agent process through the REST API, the same in both modes (the subclasses pick
 * the mode): connect and list, echo, {@code uname -a}, a failing command, a timeout, a cancellation, an
 * agent that is offline, and the lifecycle events on the bus.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AgentCommandsContract {

    Path dir;
    ClientManagerNode node;
    AgentProcess agent;
    final List<Event> events = new CopyOnWriteArrayList<>();
    Subscription subscription;

    /** Mode settings (e.g. CLIENT_MANAGER_MODE) added to the node's. */
    abstract Map<String, String> mode();

    @BeforeAll
    void startNodeAndAgent(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        Map<String, String> settings = ClientManagerNode.settings(dir);
        settings.putAll(mode());
        node = ClientManagerNode.start(dir, settings);
        subscription = node.platform.kernel().events().subscribe("test", "*", event -> {
            if (event.type().startsWith("client.") || event.type().startsWith("job.") || event.type().startsWith("audit.")) {
                events.add(event);
            }
        });
        agent = AgentProcess.agent(dir, node.agentUrl(), "worker-1", node.issueToken("worker-1"), "--label", "role=worker");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(online("worker-1"))
                .as("agent log:%n%s", agent.output()).isTrue());
    }

    @AfterAll
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (subscription != null) {
            subscription.close();
        }
        node.close();
    }

    boolean online(String id) throws Exception {
        HttpResponse<String> response = node.get("/clients/" + id);
        return response.statusCode() == 200 && "online".equals(node.json(response).path("status").asText());
    }

    JsonNode run(String agentId, String body) throws Exception {
        HttpResponse<String> response = node.send("POST", "/clients/" + agentId + "/commands", body, ClientManagerNode.ADMIN_KEY);
        assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
        return node.json(response);
    }

    JsonNode awaitCompleted(String jobId) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> node.json(node.get("/jobs/" + jobId)),
                job -> "completed".equals(job.path("state").asText()));
    }

    @Test
    void theAgentIsListedWithItsHostDetails() throws Exception {
        JsonNode list = node.json(node.get("/clients?label=role=worker"));
        assertThat(list.path("clients").findValuesAsText("agent_id")).containsExactly("worker-1");
        JsonNode client = list.path("clients").get(0);
        assertThat(client.path("agent").path("os").asText()).isNotBlank();
        assertThat(client.path("agent").path("hostname").asText()).isNotBlank();
        assertThat(client.path("agent").path("capabilities").toString()).contains("exec");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo("client.connected");
            assertThat(e.key()).isEqualTo("worker-1");
        });
    }

    @Test
    void theRequestBodyIsReadInItsCharsetAndABadOneIsNamed() throws Exception {
        String body = "{\"argv\":[\"echo\",\"café ü\"],\"wait\":true}";
        for (java.nio.charset.Charset charset : List.of(java.nio.charset.StandardCharsets.UTF_8,
                java.nio.charset.StandardCharsets.ISO_8859_1)) {
            HttpResponse<String> response = post(body.getBytes(charset), "application/json; charset=" + charset.name());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode job = node.json(response);
            assertThat(job.path("command").path("argv").get(1).asText()).as(charset.name()).isEqualTo("café ü");
            assertThat(job.path("results").get(0).path("stdout").asText()).as(charset.name()).isEqualTo("café ü\n");
        }
        HttpResponse<String> empty = post(new byte[0], "application/json");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(node.json(empty).path("field").asText()).isEqualTo("(body)");
        HttpResponse<String> blank = post("  \n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(node.json(blank).path("detail").asText()).contains("a JSON object is required");
        HttpResponse<String> malformed = post("{oops".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(node.json(malformed).path("detail").asText()).contains("not JSON");
    }

    private HttpResponse<String> post(byte[] body, String contentType) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.api() + "/clients/worker-1/commands"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", contentType)
                .header("Authorization", "Bearer " + ClientManagerNode.ADMIN_KEY)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void echoReturnsItsOutputAndExitCodeZero() throws Exception {
        JsonNode job = run("worker-1", "{\"argv\":[\"echo\",\"hello from the agent\"],\"wait\":true}");
        assertThat(job.path("state").asText()).isEqualTo("completed");
        JsonNode result = job.path("results").get(0);
        assertThat(result.path("state").asText()).isEqualTo("succeeded");
        assertThat(result.path("exit_code").asInt()).isZero();
        assertThat(result.path("stdout").asText()).isEqualTo("hello from the agent\n");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(events)
                .extracting(Event::type, Event::key)
                .contains(org.assertj.core.groups.Tuple.tuple("job.created", job.path("job_id").asText()),
                        org.assertj.core.groups.Tuple.tuple("job.completed", job.path("job_id").asText())));
    }

    @Test
    void unameRunsThroughTheShell() throws Exception {
        JsonNode result = run("worker-1", "{\"shell\":\"uname -a\",\"wait\":true}").path("results").get(0);
        assertThat(result.path("state").asText()).isEqualTo("succeeded");
        assertThat(result.path("stdout").asText()).startsWith(System.getProperty("os.name"));
    }

    @Test
    void aFailingCommandReportsItsExitCodeAndStderr() throws Exception {
        JsonNode result = run("worker-1", "{\"shell\":\"echo broken >&2; exit 3\",\"wait\":true}").path("results").get(0);
        assertThat(result.path("state").asText()).isEqualTo("failed");
        assertThat(result.path("exit_code").asInt()).isEqualTo(3);
        assertThat(result.path("stderr").asText()).isEqualTo("broken\n");
        JsonNode missing = run("worker-1", "{\"argv\":[\"/no/such/program\"],\"wait\":true}").path("results").get(0);
        assertThat(missing.path("state").asText()).isEqualTo("failed");
        assertThat(missing.path("exit_code").isNull()).isTrue();
        assertThat(missing.path("error").asText()).isNotBlank();
    }

    @Test
    void aCommandPastItsTimeoutIsKilledAndReportedTimedOut() throws Exception {
        JsonNode result = run("worker-1", "{\"shell\":\"echo started; sleep 30\",\"timeout_ms\":1000,\"wait\":true}")
                .path("results").get(0);
        assertThat(result.path("state").asText()).isEqualTo("timed_out");
        assertThat(result.path("stdout").asText()).isEqualTo("started\n");
        assertThat(result.path("duration_ms").asLong()).isLessThan(30_000);
    }

    @Test
    void aCancelledCommandStopsAndIsReportedCancelled() throws Exception {
        JsonNode job = run("worker-1", "{\"shell\":\"sleep 30\"}");
        assertThat(job.path("state").asText()).isEqualTo("running");
        String jobId = job.path("job_id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                node.json(node.get("/jobs/" + jobId)).path("results").get(0).path("state").asText().equals("running"));
        HttpResponse<String> cancel = node.send("POST", "/jobs/" + jobId + "/cancel", null, ClientManagerNode.ADMIN_KEY);
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
        JsonNode done = awaitCompleted(jobId);
        assertThat(done.path("results").get(0).path("state").asText()).isEqualTo("cancelled");
        assertThat(done.path("results").get(0).path("duration_ms").asLong()).isLessThan(30_000);
    }

    @Test
    void offlineAndUnknownAgentsFailAtOnceAndBadRequestsNameTheField() throws Exception {
        node.issueToken("never-connected");
        HttpResponse<String> offline = node.send("POST", "/clients/never-connected/commands", "{\"shell\":\"true\"}",
                ClientManagerNode.ADMIN_KEY);
        assertThat(offline.statusCode()).isEqualTo(404);
        HttpResponse<String> bad = node.send("POST", "/clients/worker-1/commands", "{\"shell\":\"true\",\"timeout_ms\":\"soon\"}",
                ClientManagerNode.ADMIN_KEY);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(node.json(bad).path("field").asText()).isEqualTo("timeout_ms");
        HttpResponse<String> both = node.send("POST", "/clients/worker-1/commands", "{\"shell\":\"true\",\"argv\":[\"true\"]}",
                ClientManagerNode.ADMIN_KEY);
        assertThat(both.statusCode()).isEqualTo(400);
        HttpResponse<String> notJson = node.send("POST", "/clients/worker-1/commands", "{", ClientManagerNode.ADMIN_KEY);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(node.get("/jobs/no-such-job").statusCode()).isEqualTo(404);
    }

    @Test
    void aBadWaitFieldIsRefusedBeforeAnythingRuns() throws Exception {
        int jobsBefore = node.json(node.get("/jobs?limit=1000")).path("count").asInt();
        assertThat(jobsBefore).as("the count below must be able to grow").isLessThan(1000);
        HttpResponse<String> wait = node.send("POST", "/clients/worker-1/commands", "{\"shell\":\"true\",\"wait\":\"yes\"}",
                ClientManagerNode.ADMIN_KEY);
        assertThat(wait.statusCode()).as(wait.body()).isEqualTo(400);
        assertThat(node.json(wait).path("field").asText()).isEqualTo("wait");
        HttpResponse<String> waitMs = node.send("POST", "/commands",
                "{\"target\":{\"agent_ids\":[\"worker-1\"]},\"shell\":\"true\",\"wait\":true,\"wait_timeout_ms\":0}",
                ClientManagerNode.ADMIN_KEY);
        assertThat(waitMs.statusCode()).as(waitMs.body()).isEqualTo(400);
        assertThat(node.json(waitMs).path("field").asText()).isEqualTo("wait_timeout_ms");
        assertThat(node.json(node.get("/jobs?limit=1000")).path("count").asInt()).as("no job was made for a refused request").isEqualTo(jobsBefore);
    }
}
