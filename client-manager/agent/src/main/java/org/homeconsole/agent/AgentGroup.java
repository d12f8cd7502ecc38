package org.homeconsole.agent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.impl.VertxInternal;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the agent connections of one JVM share: the Vert.x instance, one WebSocket client, one heartbeat ticker,
 * the server URLs and what hello says about the host. A real agent is a group of one; a simulated fleet a group
 * of thousands, which is why per-connection state is kept small and there is a single timer for all of them.
 */
final class AgentGroup {

    /**
     * What every hello of the group says besides the agent id.
     *
     * @param hostname the host name, or null to use each agent's id (simulated agents)
     * @param quiet log connects and reconnects at debug level (fleets), not info
     */
    record Settings(List<URI> urls, Map<String, String> labels, String hostname, String os, String arch,
            String agentVersion, List<String> capabilities, boolean quiet) {

        Settings {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("at least one server URL");
            }
            urls = List.copyOf(urls);
            labels = Map.copyOf(labels);
            capabilities = List.copyOf(capabilities);
        }
    }

    /** How often the ticker looks for heartbeats due; well below any sensible heartbeat interval. */
    static final long TICK_MS = 100;

    private final Vertx vertx;
    private final WebSocketClient client;
    private final Settings settings;
    private final Set<AgentConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger welcomed = new AtomicInteger();
    private final long ticker;

    AgentGroup(Vertx vertx, Settings settings) {
        this.vertx = vertx;
        this.settings = settings;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(1_000_000) // the default (50 per server) would queue a fleet's sockets; -1 does not work in 4.5
                .setConnectTimeout(10_000)
                .setClosingTimeout(5)
                .setMaxFrameSize(1 << 20)
                .setMaxMessageSize(1 << 20));
        this.ticker = vertx.setPeriodic(TICK_MS, id -> tick());
    }

    Vertx vertx() {
        return vertx;
    }

    WebSocketClient client() {
        return client;
    }

    Settings settings() {
        return settings;
    }

    /**
     * A new event-loop context for one connection. Vert.x hands every non-Vert.x thread one sticky context, which
     * would put a whole fleet on one event loop; creating contexts explicitly spreads them over all loops.
     */
    Context newContext() {
        return ((VertxInternal) vertx).createEventLoopContext();
    }

    void opened(AgentConnection connection) {
        open.add(connection);
    }

    void closed(AgentConnection connection) {
        open.remove(connection);
    }

    /** Called on each welcome (+1) and when a welcomed socket closes (-1). */
    void welcomedDelta(int delta) {
        welcomed.addAndGet(delta);
        if (delta > 0) {
            synchronized (welcomed) {
                welcomed.notifyAll();
            }
        }
    }

    /** Connections that have a session (welcome received) now. */
    int welcomedCount() {
        return welcomed.get();
    }

    /** Waits until at least {@code n} connections have a session; false on timeout. */
    boolean awaitWelcomed(int n, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (welcomed) {
            while (welcomed.get() < n) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                welcomed.wait(Math.min(left, 100));
            }
        }
        return true;
    }

    /** Stops the ticker and the WebSocket client; the connections must be shut down before. Vert.x stays open. */
    Future<Void> close() {
        vertx.cancelTimer(ticker);
        return client.close();
    }

    private void tick() {
        long now = AgentConnection.now();
        for (AgentConnection connection : open) {
            connection.tick(now);
        }
    }
}
