package org.homeconsole.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.homeconsole.agent.FixtureServer.Session;
import org.homeconsole.clientmanager.protocol.Messages;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.junit.jupiter.api.Test;

class AgentConnectionTest extends AgentTestSupport {

    @Test
    void shouldSayHelloWithTheBearerToken() {
        // when
        agent("a1", "t1");
        // then
        Session session = fixture.session("a1", 0);
        assertThat(session.authorization).isEqualTo("Bearer t1");
        JsonNode hello = session.hello;
        assertThat(hello.get("protocol").asInt()).isEqualTo(Protocol.VERSION);
        assertThat(hello.get("agent_id").asText()).isEqualTo("a1");
        assertThat(hello.get("hostname").asText()).isEqualTo("host-a1");
        assertThat(hello.get("os").asText()).isEqualTo("TestOS");
        assertThat(hello.get("arch").asText()).isEqualTo("amd64");
        assertThat(hello.get("agent_version").asText()).isEqualTo("test");
        assertThat(hello.get("labels").get("role").asText()).isEqualTo("test");
        assertThat(hello.get("capabilities")).extracting(JsonNode::asText).containsExactly(Protocol.CAP_EXEC);
    }

    @Test
    void shouldHeartbeatAtTheIntervalOfTheWelcome() {
        // given
        fixture.heartbeatIntervalMs = 100;
        // when
        agent("a1", "t1");
        // then
        Session session = fixture.session("a1", 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> session.ofType(Protocol.HEARTBEAT).size() >= 3);
        assertThat(session.ofType(Protocol.HEARTBEAT)).allSatisfy(h -> assertThat(h.get("running").asInt()).isZero());
    }

    @Test
    void shouldReconnectAfterTheServerClosesTheSocket() {
        // given
        agent("a1", "t1");
        Session first = fixture.session("a1", 0);
        // when
        first.close(Protocol.CLOSE_GOING_AWAY);
        // then
        Session second = fixture.session("a1", 1);
        assertThat(second.hello.get("agent_id").asText()).isEqualTo("a1");
        // when the new session is lost as well, the agent comes back again
        second.close(Protocol.CLOSE_HEARTBEAT_TIMEOUT);
        assertThat(fixture.session("a1", 2).authorization).isEqualTo("Bearer t1");
    }

    @Test
    void shouldReconnectWhenTheServerFallsSilent() {
        // given
        fixture.heartbeatIntervalMs = 100;
        fixture.heartbeatTimeoutMs = 500;
        agent("a1", "t1");
        Session first = fixture.session("a1", 0);
        // when the server stops reading (and so stops answering pings)
        first.ws.pause();
        // then
        assertThat(fixture.session("a1", 1).hello).isNotNull();
    }

    @Test
    void shouldTryTheNextUrlWhenOneIsDown() throws Exception {
        // given a URL where nothing listens
        URI dead;
        try (ServerSocket socket = new ServerSocket(0)) {
            dead = URI.create("ws://127.0.0.1:" + socket.getLocalPort() + "/ws");
        }
        // when
        agent("a1", "t1", 16, List.of(dead, fixture.url()));
        // then
        assertThat(fixture.session("a1", 0).hello).isNotNull();
    }

    @Test
    void shouldStopWhenReplacedByANewerConnection() throws Exception {
        // given
        AgentConnection agent = agent("a1", "t1");
        // when
        fixture.session("a1", 0).close(Protocol.CLOSE_REPLACED);
        // then
        assertThat(agent.stopped().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(StopReason.REPLACED);
        assertThat(fixture.sessionsOf("a1")).hasSize(1);
    }

    @Test
    void shouldStopWhenTheTokenIsRevoked() throws Exception {
        AgentConnection agent = agent("a1", "t1");
        fixture.session("a1", 0).close(Protocol.CLOSE_TOKEN_REVOKED);
        assertThat(agent.stopped().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(StopReason.TOKEN_REVOKED);
    }

    @Test
    void shouldStopWhenTheServerRefusesTheToken() throws Exception {
        AgentConnection agent = agent("a1", "wrong");
        assertThat(agent.stopped().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(StopReason.TOKEN_REFUSED);
        assertThat(fixture.refused.get()).isEqualTo(1);
        assertThat(fixture.sessions).isEmpty();
    }

    @Test
    void shouldAnswerBadServerMessagesWithErrors() {
        // given
        agent("a1", "t1");
        Session session = fixture.session("a1", 0);
        // when
        session.sendText("{not json");
        session.sendText("{\"type\":\"file_chunk\"}");
        session.send(Messages.cancel("nope"));
        session.sendText("{\"type\":\"command\",\"command_id\":\"c-bad\",\"shell\":\"true\",\"max_output_bytes\":10}");
        // then
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(session.ofType(Protocol.ERROR))
                .extracting(e -> e.get("code").asText())
                .containsExactly(Protocol.ERR_MALFORMED, Protocol.ERR_UNKNOWN_TYPE, Protocol.ERR_UNKNOWN_COMMAND));
        JsonNode unknownType = session.ofType(Protocol.ERROR).get(1);
        assertThat(unknownType.get("message").asText()).contains("file_chunk", "hello");
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.command("c-bad").result != null);
        JsonNode result = fixture.command("c-bad").result;
        assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_FAILED);
        assertThat(result.get("exit_code").isNull()).isTrue();
        assertThat(result.get("error").asText()).contains("timeout_ms");
    }

    @Test
    void shouldCloseWithGoingAwayOnShutdown() throws Exception {
        // given
        AgentConnection agent = agent("a1", "t1");
        Session session = fixture.session("a1", 0);
        // when
        agent.shutdown(1_000).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // then
        await().atMost(Duration.ofSeconds(10)).until(() -> session.closeCode != null);
        assertThat(session.closeCode).isEqualTo(Protocol.CLOSE_GOING_AWAY);
        assertThat(agent.stopped().result()).isEqualTo(StopReason.SHUTDOWN);
    }
}
