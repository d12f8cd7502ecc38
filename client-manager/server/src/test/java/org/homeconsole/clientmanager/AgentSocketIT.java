package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent and admin sockets against wrong or hostile input, with bare WebSocket clients on a real node
 * (standalone mode, real Kafka): each bad message gets an error or a close code, and a well-behaved
 * agent connected all along keeps being served.
 */
class AgentSocketIT {

    @TempDir
    static Path dir;
    static ClientManagerNode node;
    static RawSocket bystander;
    static String bystanderToken;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = ClientManagerNode.settings(dir);
        settings.put("CLIENT_MANAGER_HELLO_TIMEOUT_MS", "1500");
        settings.put("CLIENT_MANAGER_HEARTBEAT_INTERVAL_MS", "500");
        settings.put("CLIENT_MANAGER_HEARTBEAT_TIMEOUT_MS", "2500");
        settings.put("CLIENT_MANAGER_MESSAGES_PER_SECOND", "200");
        node = ClientManagerNode.start(dir, settings);
        bystanderToken = node.issueToken("bystander");
        bystander = hello("bystander", bystanderToken, "{\"role\":\"witness\"}");
        Thread keepAlive = new Thread(() -> {
            while (!bystander.closedWith.isDone()) {
                try {
                    bystander.send("{\"type\":\"heartbeat\"}");
                    Thread.sleep(300);
                } catch (Exception e) {
                    return;
                }
            }
        }, "bystander-heartbeat");
        keepAlive.setDaemon(true);
        keepAlive.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static RawSocket hello(String agentId, String token, String labels) throws Exception {
        return AgentSocketITSupport.hello(node, agentId, token, labels);
    }

    /** The bystander is still online and answered. */
    static void bystanderStillServed() throws Exception {
        assertThat(bystander.closedWith).isNotDone();
        JsonNode client = node.json(node.get("/clients/bystander"));
        assertThat(client.path("status").asText()).isEqualTo("online");
    }

    @Test
    void anAgentWithoutAValidTokenIsRefusedBeforeTheUpgrade() throws Exception {
        assertThatThrownBy(() -> RawSocket.connect(node.agentUrl(), null))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(401));
        assertThatThrownBy(() -> RawSocket.connect(node.agentUrl(), "bystander.not-the-secret"))
                .cause().isInstanceOf(WebSocketHandshakeException.class);
        assertThat(node.json(node.get("/clients")).path("clients").findValuesAsText("agent_id")).doesNotContain("nobody");
        bystanderStillServed();
    }

    @Test
    void restWithoutTheAdminKeyIs401AndHealthIsOpen() throws Exception {
        assertThat(node.send("GET", "/clients", null, null).statusCode()).isEqualTo(401);
        assertThat(node.send("GET", "/clients", null, "wrong-key-wrong-key").statusCode()).isEqualTo(401);
        assertThat(node.send("GET", "/health", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void connectedAgentIsListedWithItsLabels() throws Exception {
        JsonNode list = node.json(node.get("/clients?status=online&label=role=witness"));
        assertThat(list.path("clients").findValuesAsText("agent_id")).containsExactly("bystander");
        JsonNode client = list.path("clients").get(0);
        assertThat(client.path("agent").path("hostname").asText()).isEqualTo("h-bystander");
        assertThat(client.path("node").asText()).isEqualTo(node.platform.settings().nodeId());
        assertThat(node.get("/clients?status=sleepy").statusCode()).isEqualTo(400);
        assertThat(node.get("/clients/nobody").statusCode()).isEqualTo(404);
    }

    @Test
    void malformedUnknownAndInvalidMessagesGetErrorsAndTheSocketStays() throws Exception {
        RawSocket agent = hello("talker", node.issueToken("talker"), "{}");
        agent.send("{not json");
        assertThat(agent.next("error").path("code").asText()).isEqualTo(Protocol.ERR_MALFORMED);
        agent.send("[1,2,3]");
        assertThat(agent.next("error").path("code").asText()).isEqualTo(Protocol.ERR_MALFORMED);
        agent.send("{\"type\":\"teleport\"}");
        assertThat(agent.next("error").path("code").asText()).isEqualTo(Protocol.ERR_UNKNOWN_TYPE);
        agent.send("{\"type\":\"command\",\"command_id\":\"x\",\"shell\":\"id\",\"timeout_ms\":1,\"max_output_bytes\":1}");
        assertThat(agent.next("error").path("code").asText()).as("a message of the wrong direction").isEqualTo(Protocol.ERR_INVALID);
        agent.send("{\"type\":\"heartbeat\",\"ts\":\"yesterday\"}");
        JsonNode wrongType = agent.next("error");
        assertThat(wrongType.path("code").asText()).isEqualTo(Protocol.ERR_INVALID);
        assertThat(wrongType.path("message").asText()).contains("ts");
        agent.send("{\"type\":\"output\",\"stream\":\"stdout\",\"seq\":0,\"data\":\"aGk=\"}");
        JsonNode missing = agent.next("error");
        assertThat(missing.path("code").asText()).isEqualTo(Protocol.ERR_INVALID);
        assertThat(missing.path("message").asText()).contains("command_id");
        agent.send("{\"type\":\"result\",\"command_id\":\"never-sent\",\"state\":\"succeeded\",\"exit_code\":0,"
                + "\"duration_ms\":1,\"output_bytes\":0,\"truncated\":false}");
        assertThat(agent.next("error").path("code").asText()).isEqualTo(Protocol.ERR_UNKNOWN_COMMAND);
        agent.send("{\"type\":\"heartbeat\"}");
        assertThat(agent.closedWith).isNotDone();
        assertThat(node.json(node.get("/clients/talker")).path("status").asText()).isEqualTo("online");
        bystanderStillServed();
    }

    @Test
    void anOversizeFrameClosesThatSocketOnly() throws Exception {
        RawSocket agent = hello("big", node.issueToken("big"), "{}");
        agent.send("{\"type\":\"heartbeat\",\"pad\":\"" + "x".repeat(200_000) + "\"}");
        assertThat(agent.awaitClose()).isIn((int) Protocol.CLOSE_TOO_BIG, 1002);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(node.json(node.get("/clients/big")).path("status").asText()).isEqualTo("offline"));
        bystanderStillServed();
    }

    @Test
    void noHelloWithinTheDeadlineCloses4002() throws Exception {
        RawSocket silent = RawSocket.connect(node.agentUrl(), node.issueToken("silent"));
        assertThat(silent.awaitClose()).isEqualTo(Protocol.CLOSE_HELLO_TIMEOUT);
        assertThat(node.get("/clients/silent").statusCode()).isEqualTo(404);
        bystanderStillServed();
    }

    @Test
    void anythingBeforeHelloOrASecondHelloCloses1008() throws Exception {
        RawSocket early = RawSocket.connect(node.agentUrl(), node.issueToken("early"));
        early.send("{\"type\":\"heartbeat\"}");
        assertThat(early.next("error").path("message").asText()).contains("hello");
        assertThat(early.awaitClose()).isEqualTo(Protocol.CLOSE_POLICY);
        RawSocket twice = hello("twice", node.issueToken("twice"), "{}");
        twice.send("{\"type\":\"hello\",\"protocol\":1,\"agent_id\":\"twice\",\"hostname\":\"h\",\"os\":\"linux\","
                + "\"agent_version\":\"x\"}");
        assertThat(twice.awaitClose()).isEqualTo(Protocol.CLOSE_POLICY);
        bystanderStillServed();
    }

    @Test
    void helloForAnotherAgentThanTheTokensCloses1008AndIsAudited() throws Exception {
        RawSocket impostor = RawSocket.connect(node.agentUrl(), node.issueToken("honest"));
        impostor.send("{\"type\":\"hello\",\"protocol\":1,\"agent_id\":\"bystander\",\"hostname\":\"h\",\"os\":\"linux\","
                + "\"agent_version\":\"x\"}");
        assertThat(impostor.awaitClose()).isEqualTo(Protocol.CLOSE_POLICY);
        bystanderStillServed();
    }

    @Test
    void aNewerProtocolVersionIsAnsweredWithTheHighestTheServerSpeaks() throws Exception {
        for (int offered : new int[] {2, 99}) {
            RawSocket future = RawSocket.connect(node.agentUrl(), node.issueToken("future"));
            future.send("{\"type\":\"hello\",\"protocol\":" + offered + ",\"agent_id\":\"future\",\"hostname\":\"h\","
                    + "\"os\":\"linux\",\"agent_version\":\"x\"}");
            JsonNode welcome = future.next("welcome");
            assertThat(welcome.path("protocol").asInt()).isEqualTo(Protocol.VERSION);
            assertThat(node.json(node.get("/clients/future")).path("agent").path("protocol").asInt()).isEqualTo(Protocol.VERSION);
            future.socket.sendClose(1000, "done").join();
            assertThat(future.awaitClose()).isEqualTo(1000);
        }
    }

    @Test
    void aFloodIsCutOffWithRateLimitedAndOthersAreServed() throws Exception {
        RawSocket flood = hello("flood", node.issueToken("flood"), "{}");
        for (int i = 0; i < 2_000 && !flood.closedWith.isDone(); i++) {
            try {
                flood.socket.sendText("{\"type\":\"heartbeat\"}", true).join();
            } catch (CompletionException e) {
                break;
            }
        }
        assertThat(flood.awaitClose()).isEqualTo(Protocol.CLOSE_RATE_LIMITED);
        assertThat(flood.received).anySatisfy(m -> assertThat(m.path("code").asText()).isEqualTo(Protocol.ERR_RATE_LIMITED));
        bystanderStillServed();
    }

    @Test
    void aSecondConnectionOfTheSameAgentReplacesTheFirst() throws Exception {
        String token = node.issueToken("twin");
        RawSocket first = hello("twin", token, "{}");
        String firstSession = node.json(node.get("/clients/twin")).path("session_id").asText();
        RawSocket second = hello("twin", token, "{}");
        assertThat(first.awaitClose()).isEqualTo(Protocol.CLOSE_REPLACED);
        JsonNode client = node.json(node.get("/clients/twin"));
        assertThat(client.path("status").asText()).isEqualTo("online");
        assertThat(client.path("session_id").asText()).isNotEqualTo(firstSession);
        assertThat(second.closedWith).isNotDone();
    }

    @Test
    void anOperatorDisconnectCloses4004AndARevokedTokenCloses4010() throws Exception {
        RawSocket kicked = hello("kicked", node.issueToken("kicked"), "{}");
        HttpResponse<String> delete = node.send("DELETE", "/clients/kicked", null, ClientManagerNode.ADMIN_KEY);
        assertThat(delete.statusCode()).isEqualTo(200);
        assertThat(kicked.awaitClose()).isEqualTo(Protocol.CLOSE_DISCONNECTED);
        assertThat(node.json(node.get("/clients/kicked")).path("status").asText()).isEqualTo("offline");
        assertThat(node.send("DELETE", "/clients/kicked", null, ClientManagerNode.ADMIN_KEY).statusCode()).isEqualTo(200);
        assertThat(node.get("/clients/kicked").statusCode()).as("an offline client is forgotten").isEqualTo(404);

        String token = node.issueToken("revoked");
        RawSocket revoked = hello("revoked", token, "{}");
        assertThat(node.send("DELETE", "/tokens/revoked", null, ClientManagerNode.ADMIN_KEY).statusCode()).isEqualTo(200);
        assertThat(revoked.awaitClose()).isEqualTo(Protocol.CLOSE_TOKEN_REVOKED);
        assertThatThrownBy(() -> RawSocket.connect(node.agentUrl(), token)).cause()
                .isInstanceOf(WebSocketHandshakeException.class);
        bystanderStillServed();
    }

    @Test
    void aMissedHeartbeatWindowMarksOfflineAndClosesWith4001() throws Exception {
        RawSocket quiet = hello("quiet", node.issueToken("quiet"), "{}");
        assertThat(quiet.awaitClose()).isEqualTo(Protocol.CLOSE_HEARTBEAT_TIMEOUT);
        JsonNode client = node.json(node.get("/clients/quiet"));
        assertThat(client.path("status").asText()).isEqualTo("offline");
        assertThat(client.path("disconnect_reason").asText()).isEqualTo("heartbeat timeout");
        bystanderStillServed();
    }

    @Test
    void theAdminSocketNeedsTheKeyAndAnswersBadInputWithErrors() throws Exception {
        assertThatThrownBy(() -> RawSocket.connect(node.adminUrl(), null)).cause()
                .isInstanceOf(WebSocketHandshakeException.class);
        RawSocket admin = RawSocket.connect(node.adminUrl(), ClientManagerNode.ADMIN_KEY);
        admin.send("{oops");
        assertThat(admin.next("error").path("code").asText()).isEqualTo(Protocol.ERR_MALFORMED);
        admin.send("{\"type\":\"dance\"}");
        assertThat(admin.next("error").path("code").asText()).isEqualTo(Protocol.ERR_UNKNOWN_TYPE);
        admin.send("{\"type\":\"subscribe\",\"topic\":42}");
        assertThat(admin.next("error").path("message").asText()).startsWith("topic");
        admin.send("{\"type\":\"subscribe\"}");
        assertThat(admin.next("error").path("code").asText()).isEqualTo(Protocol.ERR_INVALID);
        admin.send("{\"type\":\"subscribe\",\"topic\":\"clients\"}");
        assertThat(admin.next("subscribed").path("topic").asText()).isEqualTo("clients");

        hello("watched", node.issueToken("watched"), "{\"team\":\"blue\"}");
        JsonNode event = admin.next("event");
        while (!"watched".equals(event.path("key").asText())) {
            event = admin.next("event");
        }
        assertThat(event.path("event_type").asText()).isEqualTo("client.connected");
        assertThat(event.path("data").path("labels").path("team").asText()).isEqualTo("blue");

        admin.send("{\"type\":\"ping\",\"pad\":\"" + "y".repeat(200_000) + "\"}");
        assertThat(admin.awaitClose()).isIn((int) Protocol.CLOSE_TOO_BIG, 1002);

        RawSocket flooding = RawSocket.connect(node.adminUrl(), ClientManagerNode.ADMIN_KEY);
        for (int i = 0; i < 2_000 && !flooding.closedWith.isDone(); i++) {
            try {
                flooding.socket.sendText("{\"type\":\"ping\"}", true).join();
            } catch (CompletionException e) {
                break;
            }
        }
        assertThat(flooding.awaitClose()).isEqualTo(Protocol.CLOSE_RATE_LIMITED);
        bystanderStillServed();
    }
}
