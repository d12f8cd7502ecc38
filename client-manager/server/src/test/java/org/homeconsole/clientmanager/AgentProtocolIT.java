package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.homeconsole.clientmanager.protocol.ProtocolValidator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent protocol as docs/agent-protocol.md states it, checked on a real node (standalone, real Kafka) with
 * bare WebSocket clients that speak it by hand: the JDK's client, and {@link RawFrames} for bytes the JDK will
 * not send. Each test names the section it holds the server to.
 */
class AgentProtocolIT {

    @TempDir
    static Path dir;
    static ClientManagerNode node;

    @BeforeAll
    static void start() {
        Map<String, String> settings = ClientManagerNode.settings(dir);
        settings.put("CLIENT_MANAGER_HELLO_TIMEOUT_MS", "3000");
        node = ClientManagerNode.start(dir, settings); // the default message rate, 2000/s
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static String hello(String agentId, String extra) {
        return "{\"type\":\"hello\",\"protocol\":1,\"agent_id\":\"" + agentId + "\",\"hostname\":\"h\",\"os\":\"linux\","
                + "\"agent_version\":\"test\"" + extra + "}";
    }

    static RawSocket agent(String agentId, String extra) throws Exception {
        RawSocket socket = RawSocket.connect(node.agentUrl(), node.issueToken(agentId));
        socket.send(hello(agentId, extra));
        assertThat(socket.next().path("type").asText()).isEqualTo("welcome");
        return socket;
    }

    /** Starts a command on the agent without waiting; returns the job id. */
    static String command(String agentId, String body) throws Exception {
        HttpResponse<String> response = node.send("POST", "/clients/" + agentId + "/commands", body, ClientManagerNode.ADMIN_KEY);
        assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
        return node.json(response).path("job_id").asText();
    }

    static JsonNode run(String jobId) throws Exception {
        return node.json(node.get("/jobs/" + jobId)).path("results").get(0);
    }

    static String output(String commandId, int seq, String text) {
        return "{\"type\":\"output\",\"command_id\":\"" + commandId + "\",\"stream\":\"stdout\",\"seq\":" + seq + ",\"data\":\""
                + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "\"}";
    }

    static String result(String commandId, String state, int exit, long bytes) {
        return "{\"type\":\"result\",\"command_id\":\"" + commandId + "\",\"state\":\"" + state + "\",\"exit_code\":" + exit
                + ",\"duration_ms\":5,\"output_bytes\":" + bytes + ",\"truncated\":false}";
    }

    /** §3.2: welcome says the message rate; §11: a newer agent gets the highest version the server speaks. */
    @Test
    void welcomeNegotiatesTheVersionAndStatesTheLimits() throws Exception {
        RawSocket socket = RawSocket.connect(node.agentUrl(), node.issueToken("v-next"));
        socket.send(hello("v-next", "").replace("\"protocol\":1", "\"protocol\":3"));
        JsonNode welcome = socket.next("welcome");
        assertThat(ProtocolValidator.validate(welcome)).isEmpty();
        assertThat(welcome.path("protocol").asInt()).isEqualTo(Protocol.VERSION);
        assertThat(welcome.path("max_frame_bytes").asInt()).isEqualTo(Protocol.DEFAULT_MAX_FRAME_BYTES);
        assertThat(welcome.path("max_messages_per_second").asInt()).isEqualTo(Protocol.DEFAULT_MESSAGES_PER_SECOND);
    }

    /** §3.4, §10: command_id has at most 128 characters, however long the agent id. */
    @Test
    void aCommandIdFitsItsSchemaForTheLongestAgentId() throws Exception {
        String longId = "a".repeat(128);
        RawSocket agent = agent(longId, "");
        String jobId = command(longId, "{\"shell\":\"true\"}");
        JsonNode command = agent.next("command");
        assertThat(ProtocolValidator.validate(command)).isEmpty();
        String commandId = command.path("command_id").asText();
        assertThat(commandId).hasSizeLessThanOrEqualTo(128).startsWith(jobId + ".");
        agent.send(result(commandId, "succeeded", 0, 0));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(run(jobId).path("state").asText()).isEqualTo("succeeded"));
    }

    /** §2: the frame limit counts bytes of UTF-8, not characters, over all frames of a message. */
    @Test
    void theFrameLimitCountsBytes() throws Exception {
        try (RawFrames agent = RawFrames.connect(node.agentUrl(), node.issueToken("wide"))) {
            agent.text(hello("wide", ""));
            assertThat(agent.nextText()).contains("\"welcome\"");
            sendInTwoFrames(agent, "{\"type\":\"heartbeat\",\"pad\":\"" + "é".repeat(30_000) + "\"}"); // 60,000 bytes: taken
            agent.text("{\"type\":\"heartbeat\",\"ts\":\"not a number\"}");
            assertThat(agent.nextText()).as("still read after the large message").contains(Protocol.ERR_INVALID);
            // 33,000 characters but 66,000 bytes
            sendInTwoFrames(agent, "{\"type\":\"heartbeat\",\"pad\":\"" + "é".repeat(33_000) + "\"}");
            assertThat(agent.awaitClose()).isEqualTo(Protocol.CLOSE_TOO_BIG);
        }
    }

    private static void sendInTwoFrames(RawFrames agent, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int cut = bytes.length / 2 + 1; // inside a two-byte character: frames may split one
        agent.send(RawFrames.TEXT, false, java.util.Arrays.copyOfRange(bytes, 0, cut));
        agent.send(RawFrames.CONTINUATION, true, java.util.Arrays.copyOfRange(bytes, cut, bytes.length));
    }

    /** §2: a text frame that is not UTF-8 fails the connection with 1007 (RFC 6455 §8.1), before or after hello. */
    @Test
    void invalidUtf8Closes1007() throws Exception {
        try (RawFrames agent = RawFrames.connect(node.agentUrl(), node.issueToken("latin"))) {
            agent.text(hello("latin", ""));
            assertThat(agent.nextText()).contains("\"welcome\"");
            byte[] bad = "{\"type\":\"heartbeat\",\"x\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
            agent.send(RawFrames.TEXT, true, bad);
            assertThat(agent.awaitClose()).isEqualTo(Protocol.CLOSE_INVALID_DATA);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(node.json(node.get("/clients/latin")).path("status").asText()).isEqualTo("offline"));
    }

    /** §2: a message may come in several frames; the size limit applies to the whole message. */
    @Test
    void aMessageSplitOverContinuationFramesIsOneMessage() throws Exception {
        try (RawFrames agent = RawFrames.connect(node.agentUrl(), node.issueToken("split"))) {
            byte[] hello = hello("split", "").getBytes(StandardCharsets.UTF_8);
            int cut = hello.length / 2;
            agent.send(RawFrames.TEXT, false, java.util.Arrays.copyOfRange(hello, 0, cut));
            agent.send(RawFrames.CONTINUATION, true, java.util.Arrays.copyOfRange(hello, cut, hello.length));
            assertThat(agent.nextText()).contains("\"welcome\"");
            byte[] half = new byte[40_000];
            java.util.Arrays.fill(half, (byte) 'x');
            agent.send(RawFrames.TEXT, false, half);
            agent.send(RawFrames.CONTINUATION, true, half);
            assertThat(agent.awaitClose()).isEqualTo(Protocol.CLOSE_TOO_BIG);
        }
    }

    /** §3.1: anything but a valid hello first gets an error and close 1008. */
    @Test
    void anythingButAValidHelloFirstGetsAnErrorAndCloses1008() throws Exception {
        String[][] cases = {
            {"{not json", Protocol.ERR_MALFORMED},
            {"[1]", Protocol.ERR_MALFORMED},
            {"{\"type\":\"teleport\"}", Protocol.ERR_UNKNOWN_TYPE},
            {"{\"type\":\"heartbeat\"}", Protocol.ERR_INVALID},
            {hello("first", "").replace("\"hostname\":\"h\",", ""), Protocol.ERR_INVALID},
        };
        for (String[] c : cases) {
            RawSocket socket = RawSocket.connect(node.agentUrl(), node.issueToken("first"));
            socket.send(c[0]);
            JsonNode error = socket.next("error");
            assertThat(error.path("code").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(ProtocolValidator.validate(error)).isEmpty();
            assertThat(socket.awaitClose()).as(c[0]).isEqualTo(Protocol.CLOSE_POLICY);
        }
        try (RawFrames binary = RawFrames.connect(node.agentUrl(), node.issueToken("first"))) {
            binary.send(RawFrames.BINARY, true, new byte[] {1, 2, 3});
            assertThat(binary.nextText()).contains(Protocol.ERR_INVALID);
            assertThat(binary.awaitClose()).isEqualTo(Protocol.CLOSE_POLICY);
        }
        assertThat(node.get("/clients/first").statusCode()).isEqualTo(404);
    }

    /** client-manager.md events: a replaced session ends with client.disconnected, reason "replaced". */
    @Test
    void aReplacedSessionIsReportedDisconnected() throws Exception {
        RawSocket admin = RawSocket.connect(node.adminUrl(), ClientManagerNode.ADMIN_KEY);
        admin.send("{\"type\":\"subscribe\",\"topic\":\"clients\"}");
        admin.next("subscribed");
        String token = node.issueToken("twin");
        RawSocket first = RawSocket.connect(node.agentUrl(), token);
        first.send(hello("twin", ""));
        first.next("welcome");
        RawSocket second = RawSocket.connect(node.agentUrl(), token);
        second.send(hello("twin", ""));
        second.next("welcome");
        assertThat(first.awaitClose()).isEqualTo(Protocol.CLOSE_REPLACED);
        int connected = 0;
        boolean disconnected = false;
        while (connected < 2) {
            JsonNode event = admin.next("event");
            if (!"twin".equals(event.path("key").asText())) {
                continue;
            }
            if ("client.disconnected".equals(event.path("event_type").asText())) {
                assertThat(connected).as("the old session ends before the new one is announced").isEqualTo(1);
                assertThat(event.path("data").path("reason").asText()).isEqualTo("replaced");
                disconnected = true;
            } else {
                connected++;
            }
        }
        assertThat(disconnected).isTrue();
        assertThat(node.json(node.get("/clients/twin")).path("status").asText()).isEqualTo("online");
    }

    /** §3.8 and §5.2: a message of the wrong direction and a repeated or skipped seq are invalid_message. */
    @Test
    void wrongDirectionAndSequenceErrorsAreInvalidMessage() throws Exception {
        RawSocket agent = agent("seq", "");
        agent.send("{\"type\":\"cancel\",\"command_id\":\"x\"}");
        assertThat(agent.next("error").path("code").asText()).isEqualTo(Protocol.ERR_INVALID);
        String jobId = command("seq", "{\"shell\":\"true\"}");
        String id = agent.next("command").path("command_id").asText();
        agent.send(output(id, 0, "a"));
        agent.send(output(id, 0, "b"));
        JsonNode repeated = agent.next("error");
        assertThat(repeated.path("code").asText()).isEqualTo(Protocol.ERR_INVALID);
        assertThat(repeated.path("message").asText()).startsWith("seq:").contains("already received");
        agent.send(output(id, 3, "d"));
        JsonNode gap = agent.next("error");
        assertThat(gap.path("code").asText()).isEqualTo(Protocol.ERR_INVALID);
        assertThat(gap.path("message").asText()).contains("skips 2");
        agent.send(result(id, "succeeded", 0, 4));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(run(jobId).path("state").asText()).isEqualTo("succeeded"));
        JsonNode job = node.json(node.get("/jobs/" + jobId));
        JsonNode run = job.path("results").get(0);
        assertThat(run.path("stdout").asText()).isEqualTo("ad");
        assertThat(run.path("output_lost_bytes").asLong()).as("the agent reported 4 bytes, 2 arrived").isEqualTo(2);
        assertThat(job.path("summary").path("output_lost").asInt()).isEqualTo(1);
    }

    /** §3.6: succeeded means exit code 0; an invalid result ends the run failed at once, saying why. */
    @Test
    void anInvalidResultEndsTheRunFailedAndSaysWhy() throws Exception {
        RawSocket agent = agent("liar", "");
        String jobId = command("liar", "{\"shell\":\"false\"}");
        String id = agent.next("command").path("command_id").asText();
        agent.send(result(id, "succeeded", 3, 0));
        JsonNode error = agent.next("error");
        assertThat(error.path("code").asText()).isEqualTo(Protocol.ERR_INVALID);
        assertThat(error.path("command_id").asText()).isEqualTo(id);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode run = run(jobId);
            assertThat(run.path("state").asText()).isEqualTo("failed");
            assertThat(run.path("error").asText()).contains("invalid result").contains("exit_code");
        });
    }

    /** §11: an agent that does not announce exec is not sent commands. */
    @Test
    void anAgentWithoutExecIsNotSentCommands() throws Exception {
        RawSocket agent = agent("sensor", ",\"capabilities\":[],\"labels\":{\"kind\":\"sensor\"}");
        HttpResponse<String> response = node.send("POST", "/clients/sensor/commands", "{\"shell\":\"id\",\"wait\":true}",
                ClientManagerNode.ADMIN_KEY);
        JsonNode run = node.json(response).path("results").get(0);
        assertThat(run.path("state").asText()).as(response.body()).isEqualTo("refused");
        assertThat(run.path("error").asText()).contains("'exec'");
        HttpResponse<String> byLabel = node.send("POST", "/commands", "{\"target\":{\"labels\":{\"kind\":\"sensor\"}},"
                + "\"shell\":\"id\"}", ClientManagerNode.ADMIN_KEY);
        assertThat(byLabel.statusCode()).isEqualTo(409);
        assertThat(byLabel.body()).contains("'exec'");
        agent.send("{\"type\":\"heartbeat\"}");
        assertThat(agent.received).noneSatisfy(m -> assertThat(m.path("type").asText()).isEqualTo("command"));
    }

    /** §5.6: a hello that lists what the agent still runs ends the others as lost at once; listed ones go on. */
    @Test
    void aReconnectWithoutTheCommandEndsItLostAtOnce() throws Exception {
        String token = node.issueToken("phoenix");
        RawSocket before = RawSocket.connect(node.agentUrl(), token);
        before.send(hello("phoenix", ""));
        before.next("welcome");
        String forgotten = command("phoenix", "{\"shell\":\"sleep 600\",\"timeout_ms\":600000}");
        before.next("command");
        String kept = command("phoenix", "{\"shell\":\"sleep 600\",\"timeout_ms\":600000}");
        String keptId = before.next("command").path("command_id").asText();
        before.socket.abort();
        RawSocket after = RawSocket.connect(node.agentUrl(), token);
        after.send(hello("phoenix", ",\"running\":[\"" + keptId + "\"]"));
        after.next("welcome");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode run = run(forgotten);
            assertThat(run.path("state").asText()).isEqualTo("lost");
            assertThat(run.path("error").asText()).contains("did not list it");
        });
        assertThat(run(kept).path("state").asText()).isEqualTo("running");
        after.send(output(keptId, 0, "still here\n"));
        after.send(result(keptId, "succeeded", 0, 11));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode run = run(kept);
            assertThat(run.path("state").asText()).isEqualTo("succeeded");
            assertThat(run.path("stdout").asText()).isEqualTo("still here\n");
        });
    }

    /** §3.7: a cancel answered with unknown_command ends the run as lost at once. */
    @Test
    void aCancelTheAgentDoesNotKnowEndsTheRunLost() throws Exception {
        RawSocket agent = agent("amnesiac", "");
        String jobId = command("amnesiac", "{\"shell\":\"sleep 600\",\"timeout_ms\":600000}");
        String id = agent.next("command").path("command_id").asText();
        assertThat(node.send("POST", "/jobs/" + jobId + "/cancel", null, ClientManagerNode.ADMIN_KEY).statusCode()).isLessThan(300);
        JsonNode cancel = agent.next("cancel");
        assertThat(cancel.path("command_id").asText()).isEqualTo(id);
        agent.send("{\"type\":\"error\",\"code\":\"unknown_command\",\"message\":\"no running command\",\"ref_type\":\"cancel\","
                + "\"command_id\":\"" + id + "\"}");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode run = run(jobId);
            assertThat(run.path("state").asText()).isEqualTo("lost");
            assertThat(run.path("error").asText()).contains("unknown_command");
        });
    }

    /**
     * §5.2, §10: 30,000 one-line chunks sent as fast as the client can, far above the message rate, are all
     * kept: the server reads the socket more slowly instead of closing it.
     */
    @Test
    void thirtyThousandOneLineChunksAreAllKeptAndTheAgentStaysConnected() throws Exception {
        RawSocket agent = agent("firehose", "");
        String jobId = command("firehose", "{\"shell\":\"seq 30000\",\"max_output_bytes\":1048576,\"timeout_ms\":120000}");
        String id = agent.next("command").path("command_id").asText();
        StringBuilder expected = new StringBuilder();
        long started = System.nanoTime();
        for (int i = 0; i < 30_000; i++) {
            String line = "line " + i + "\n";
            expected.append(line);
            try {
                agent.send(output(id, i, line));
            } catch (CompletionException e) {
                throw new AssertionError("the server closed the socket at chunk " + i + ": " + agent.closedWith.getNow(null), e);
            }
        }
        agent.send(result(id, "succeeded", 0, expected.length()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(run(jobId).path("state").asText()).isEqualTo("succeeded"));
        double seconds = (System.nanoTime() - started) / 1e9;
        HttpResponse<byte[]> stdout = node.getBytes("/jobs/" + jobId + "/output?stream=stdout");
        assertThat(new String(stdout.body(), StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        JsonNode run = run(jobId);
        assertThat(run.has("output_lost_bytes")).isFalse();
        assertThat(agent.closedWith).isNotDone();
        assertThat(agent.received).noneSatisfy(m -> assertThat(m.path("type").asText()).isEqualTo("error"));
        assertThat(node.json(node.get("/clients/firehose")).path("status").asText()).isEqualTo("online");
        // 30,000 messages at 2,000/s after a burst of 4,000: the server held the client back for about 13 s
        assertThat(seconds).as("sent in %.1f s", seconds).isGreaterThan(8);
    }
}
