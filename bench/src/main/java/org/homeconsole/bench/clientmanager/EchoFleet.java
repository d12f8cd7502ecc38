package org.homeconsole.bench.clientmanager;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.impl.VertxInternal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plain WebSocket clients for the {@link EchoServer}, built like {@code SimulatedFleet}'s agents so that the two
 * loads differ only in what the server does: the same client options, one event-loop context per socket, the same
 * ramp (a batch every 50 ms), one ticker for every socket, reconnect with the protocol's backoff. Each socket sends
 * a text frame the size of a heartbeat when it opens and then every {@code intervalMs}; it counts as connected when
 * the first echo is back (as an agent counts once its welcome is back).
 */
final class EchoFleet implements AutoCloseable {

    private static final long RAMP_TICK_MS = 50;
    private static final long TICK_MS = 100;

    private final Vertx vertx;
    private final WebSocketClient client;
    private final URI url;
    private final long intervalMs;
    private final List<Conn> conns = new ArrayList<>();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final long ticker;
    private long rampTimer = -1;
    private int started;

    private EchoFleet(Vertx vertx, URI url, int count, long intervalMs) {
        this.vertx = vertx;
        this.url = url;
        this.intervalMs = intervalMs;
        // as AgentGroup: the default (50 per server) would queue the sockets; -1 does not work in Vert.x 4.5
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1_000_000)
                .setConnectTimeout(10_000).setClosingTimeout(5).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
        for (int i = 0; i < count; i++) {
            conns.add(new Conn(((VertxInternal) vertx).createEventLoopContext()));
        }
        this.ticker = vertx.setPeriodic(TICK_MS, id -> tick());
    }

    /** @param connectsPerSecond how fast sockets start connecting; 0 or less for all at once */
    static EchoFleet start(Vertx vertx, URI url, int count, int connectsPerSecond, long intervalMs) {
        EchoFleet fleet = new EchoFleet(vertx, url, count, intervalMs);
        if (connectsPerSecond <= 0) {
            fleet.conns.forEach(Conn::start);
        } else {
            int perTick = (int) Math.max(1, connectsPerSecond * RAMP_TICK_MS / 1000);
            synchronized (fleet) {
                fleet.rampTimer = vertx.setPeriodic(1, RAMP_TICK_MS, id -> fleet.ramp(perTick));
            }
        }
        return fleet;
    }

    int connectedCount() {
        return connected.get();
    }

    /** Connection attempts that failed (and were retried). */
    int failures() {
        return failures.get();
    }

    boolean awaitConnected(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (connected) {
            while (connected.get() < n) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                connected.wait(Math.min(left, 100));
            }
        }
        return true;
    }

    private synchronized void ramp(int perTick) {
        int end = Math.min(conns.size(), started + perTick);
        for (; started < end; started++) {
            conns.get(started).start();
        }
        if (started == conns.size()) {
            vertx.cancelTimer(rampTimer);
            rampTimer = -1;
        }
    }

    private void tick() {
        long now = System.nanoTime() / 1_000_000;
        for (Conn conn : conns) {
            if (now >= conn.nextDue) {
                conn.context.runOnContext(v -> conn.beat(now));
            }
        }
    }

    /** Closes every socket (1001) and the client; waits up to 10 s. */
    @Override
    public void close() {
        synchronized (this) {
            if (rampTimer >= 0) {
                vertx.cancelTimer(rampTimer);
            }
        }
        vertx.cancelTimer(ticker);
        List<Future<Void>> closing = conns.stream().map(Conn::shutdown).toList();
        try {
            Future.join(new ArrayList<>(closing)).eventually(() -> client.close())
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // some sockets did not close cleanly; they are gone with the client anyway
        }
    }

    private static String frame() {
        return "{\"type\":\"heartbeat\",\"ts\":" + System.currentTimeMillis() + ",\"running\":0}";
    }

    private final class Conn {
        final Context context;
        volatile long nextDue = Long.MAX_VALUE;
        private WebSocket ws;
        private boolean echoed;
        private boolean stopping;
        private int attempt;

        Conn(Context context) {
            this.context = context;
        }

        void start() {
            context.runOnContext(v -> connect());
        }

        private void connect() {
            if (stopping) {
                return;
            }
            client.connect(new WebSocketConnectOptions().setAbsoluteURI(url.toString())).onComplete(ar -> {
                if (ar.failed()) {
                    failures.incrementAndGet();
                    retry();
                    return;
                }
                WebSocket socket = ar.result();
                if (stopping) {
                    socket.close((short) 1001);
                    return;
                }
                ws = socket;
                socket.textMessageHandler(text -> {
                    if (!echoed) {
                        echoed = true;
                        attempt = 0;
                        nextDue = System.nanoTime() / 1_000_000 + intervalMs;
                        connected.incrementAndGet();
                        synchronized (connected) {
                            connected.notifyAll();
                        }
                    }
                });
                socket.closeHandler(v -> {
                    if (ws == socket) {
                        ws = null;
                        nextDue = Long.MAX_VALUE;
                        if (echoed) {
                            echoed = false;
                            connected.decrementAndGet();
                        }
                        retry();
                    }
                });
                socket.writeTextMessage(frame());
            });
        }

        /** The protocol's backoff: a random wait in [0, min(30 s, 250 ms × 2^n)). */
        private void retry() {
            if (stopping) {
                return;
            }
            long cap = Math.min(30_000, 250L << Math.min(attempt++, 7));
            vertx.setTimer(Math.max(1, ThreadLocalRandom.current().nextLong(cap)), id -> connect());
        }

        void beat(long now) {
            WebSocket socket = ws;
            if (socket != null && echoed && now >= nextDue) {
                socket.writeTextMessage(frame());
                nextDue = now + intervalMs;
            }
        }

        Future<Void> shutdown() {
            return Future.future(done -> context.runOnContext(v -> {
                stopping = true;
                WebSocket socket = ws;
                ws = null;
                if (socket == null) {
                    done.complete();
                } else {
                    socket.close((short) 1001).onComplete(ar -> done.complete());
                }
            }));
        }
    }
}
