package org.homeconsole.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One fixture server per test, one agent-side Vert.x per class; every message the agents send must be valid. */
abstract class AgentTestSupport {

    static Vertx agentVertx;
    FixtureServer fixture;
    CommandRunner runner;
    private final List<AgentGroup> groups = new ArrayList<>();
    private final List<AgentConnection> connections = new ArrayList<>();

    @BeforeAll
    static void startVertx() {
        agentVertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        agentVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void startFixture() throws Exception {
        fixture = new FixtureServer(Map.of("a1", "t1", "a2", "t2"));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AgentConnection c : connections) {
            c.shutdown(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        for (AgentGroup g : groups) {
            g.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        fixture.close();
        assertThat(fixture.problems).as("protocol problems seen by the fixture").isEmpty();
    }

    AgentConnection agent(String id, String token) {
        return agent(id, token, 16, List.of(fixture.url()));
    }

    AgentConnection agent(String id, String token, int maxConcurrent, List<URI> urls) {
        AgentGroup group = new AgentGroup(agentVertx, new AgentGroup.Settings(urls, Map.of("role", "test"), "host-" + id,
                "TestOS", "amd64", "test", List.of(Protocol.CAP_EXEC), false));
        groups.add(group);
        runner = new CommandRunner(maxConcurrent);
        AgentConnection connection = new AgentConnection(group, id, token, runner);
        connections.add(connection);
        connection.start();
        return connection;
    }
}
