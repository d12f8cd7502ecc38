package org.homeconsole.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.homeconsole.clientmanager.protocol.Messages;
import org.homeconsole.clientmanager.protocol.Protocol;

/**
 * Many simulated agents in one JVM, for benchmarks and tests of the client manager. A simulated agent speaks the
 * real protocol — hello, heartbeats, reconnect with backoff, stop on 401/4000/4010 — but runs no processes: it
 * answers a command with one stdout chunk ({@code seq} 0) holding the command line (the shell string, or argv
 * joined by spaces) plus a newline, then a result {@code succeeded} with exit code 0.
 *
 * <p>Memory: each agent is one small connection object plus its socket; one timer serves the heartbeats of all of
 * them. Agents connect at {@link Options#connectsPerSecond()} so that a fleet does not hit the server's accept
 * queue all at once. Methods that wait must not be called on a Vert.x thread.
 */
public final class SimulatedFleet implements AutoCloseable {

    /**
     * @param connectsPerSecond how fast agents start connecting; 0 or less for all at once
     * @param quiet log connects and reconnects at debug level rather than info
     */
    public record Options(int connectsPerSecond, boolean quiet) {

        /** 1000 connects per second, quiet. */
        public static Options defaults() {
            return new Options(1_000, true);
        }
    }

    private static final long RAMP_TICK_MS = 50;

    private final AgentGroup group;
    private final List<AgentConnection> agents;
    private volatile long rampTimer = -1;
    private int started;

    private SimulatedFleet(AgentGroup group, List<AgentConnection> agents) {
        this.group = group;
        this.agents = agents;
    }

    /**
     * Starts one simulated agent per credentials entry. Returns at once; agents connect in the background.
     *
     * @param vertx the Vert.x to run on; the fleet does not close it
     * @param urls server URLs, tried round robin on reconnect
     * @param labels labels every agent announces in hello
     */
    public static SimulatedFleet start(Vertx vertx, List<URI> urls, List<Credentials> credentials, Map<String, String> labels,
            Options options) {
        AgentGroup group = new AgentGroup(vertx, new AgentGroup.Settings(urls, labels, null, "simulated",
                System.getProperty("os.arch"), AgentMain.version(), List.of(Protocol.CAP_EXEC), options.quiet()));
        List<AgentConnection> agents = new ArrayList<>(credentials.size());
        for (Credentials c : credentials) {
            agents.add(new AgentConnection(group, c.agentId(), c.token(), Echo.INSTANCE));
        }
        SimulatedFleet fleet = new SimulatedFleet(group, agents);
        if (options.connectsPerSecond() <= 0) {
            agents.forEach(AgentConnection::start);
        } else {
            int perTick = (int) Math.max(1, options.connectsPerSecond() * RAMP_TICK_MS / 1000);
            synchronized (fleet) {
                fleet.rampTimer = vertx.setPeriodic(1, RAMP_TICK_MS, id -> fleet.ramp(perTick));
            }
        }
        return fleet;
    }

    /** Number of agents in the fleet. */
    public int size() {
        return agents.size();
    }

    /** Agents that have a session (welcome received) now. */
    public int connectedCount() {
        return group.welcomedCount();
    }

    /** Waits until at least {@code n} agents have a session; false on timeout. */
    public boolean awaitConnected(int n, Duration timeout) throws InterruptedException {
        return group.awaitWelcomed(n, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes every agent's socket (1001) and the fleet's WebSocket client; waits up to 10 s. */
    @Override
    public void close() {
        synchronized (this) {
            if (rampTimer >= 0) {
                group.vertx().cancelTimer(rampTimer);
            }
        }
        List<Future<Void>> closing = agents.stream().map(a -> a.shutdown(0)).toList();
        try {
            CompositeFuture.join(new ArrayList<>(closing)).eventually(v -> group.close())
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // some sockets did not close cleanly; they are gone with the client anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Completes when every agent has stopped for good, with the highest exit code among their reasons. */
    Future<Integer> stopped() {
        List<Future<StopReason>> all = agents.stream().map(AgentConnection::stopped).toList();
        return CompositeFuture.all(new ArrayList<>(all)).map(v ->
                all.stream().mapToInt(f -> f.result().exitCode()).max().orElse(0));
    }

    private synchronized void ramp(int perTick) {
        int end = Math.min(agents.size(), started + perTick);
        for (; started < end; started++) {
            agents.get(started).start();
        }
        if (started == agents.size()) {
            group.vertx().cancelTimer(rampTimer);
            rampTimer = -1;
        }
    }

    /** The simulated "process": echoes the command line and succeeds at once. Stateless, shared by all agents. */
    private enum Echo implements CommandExecutor {
        INSTANCE;

        @Override
        public void start(JsonNode command, CommandSink sink) {
            String id = command.get("command_id").textValue();
            String line;
            if (command.hasNonNull("shell")) {
                line = command.get("shell").asText();
            } else {
                List<String> argv = new ArrayList<>();
                command.get("argv").forEach(a -> argv.add(a.asText()));
                line = String.join(" ", argv);
            }
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            int send = (int) Math.min(Math.min(bytes.length, command.get("max_output_bytes").asLong()), Protocol.MAX_CHUNK_BYTES);
            if (send > 0) {
                sink.send(Messages.output(id, Protocol.STDOUT, 0, bytes, 0, send));
            }
            sink.sendResult(Messages.result(id, Protocol.STATE_SUCCEEDED, 0, 0, bytes.length, send < bytes.length, null));
        }

        @Override
        public boolean cancel(String commandId) {
            return false;
        }

        @Override
        public int running() {
            return 0;
        }

        @Override
        public java.util.Collection<String> runningIds() {
            return List.of();
        }

        @Override
        public void cancelAll() {
            // nothing ever runs
        }
    }
}
