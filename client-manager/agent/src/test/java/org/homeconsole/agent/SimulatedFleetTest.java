package org.homeconsole.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.homeconsole.agent.FixtureServer.Session;
import org.homeconsole.clientmanager.protocol.Messages;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.junit.jupiter.api.Test;

class SimulatedFleetTest {

    @Test
    void shouldConnect200AgentsAndEchoCommands() throws Exception {
        // given
        List<Credentials> credentials = IntStream.range(0, 200).mapToObj(i -> new Credentials("sim-" + i, "token-" + i)).toList();
        Map<String, String> tokens = new HashMap<>();
        credentials.forEach(c -> tokens.put(c.agentId(), c.token()));
        Vertx vertx = Vertx.vertx();
        try (FixtureServer fixture = new FixtureServer(tokens)) {
            fixture.heartbeatIntervalMs = 200;
            // when
            try (SimulatedFleet fleet = SimulatedFleet.start(vertx, List.of(fixture.url()), credentials, Map.of("fleet", "test"), SimulatedFleet.Options.defaults())) {
                // then
                assertThat(fleet.awaitConnected(200, Duration.ofSeconds(60))).isTrue();
                assertThat(fleet.connectedCount()).isEqualTo(200);
                Session session = fixture.session("sim-7", 0);
                assertThat(session.hello.get("labels").get("fleet").asText()).isEqualTo("test");
                session.send(Messages.command("c1", List.of("uptime", "-p"), null, 1_000, 1_000, null, null));
                JsonNode result = await().atMost(Duration.ofSeconds(20)).until(() -> fixture.command("c1").result, r -> r != null);
                assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_SUCCEEDED);
                assertThat(result.get("exit_code").asInt()).isZero();
                assertThat(fixture.command("c1").stdoutText()).isEqualTo("uptime -p\n");
                await().atMost(Duration.ofSeconds(20)).until(() -> session.ofType(Protocol.HEARTBEAT).size() >= 2);
            }
            assertThat(fixture.problems).isEmpty();
            await().atMost(Duration.ofSeconds(20)).until(() -> fixture.sessions.stream().allMatch(s -> s.closeCode != null));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
