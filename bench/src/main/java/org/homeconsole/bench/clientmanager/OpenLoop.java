package org.homeconsole.bench.clientmanager;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.VertxInternal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Open-loop REST load: {@code POST /api/clients/{id}/commands {"shell":"echo bench","wait":true}} at a fixed rate.
 * Request {@code i} is due at {@code start + i / rate}, whatever happened to the requests before it; one thread sends
 * what is due and parks until the next one, and a request's latency counts from its due time to the end of its
 * response, so that a stall of the node, of the client or of the machine shows up in every request it held up (no
 * coordinated omission). Agents are taken round robin, so each gets one command every {@code agents / rate} seconds.
 *
 * <p>The client is a Vert.x {@link HttpClient} (non-blocking, keep-alive, a pool of {@code connections} HTTP/1.1
 * connections; requests beyond wait in the pool's queue, which counts in their latency). Requests are handed to one
 * event-loop context per event loop, round robin. A request counts as OK when it answers 200 with the agent's result
 * {@code succeeded} and its output {@code echo bench\n}; anything else (another status, a timeout, a broken
 * connection, another result) is an error.
 */
final class OpenLoop implements AutoCloseable {

    static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);
    private static final String SHELL = "echo bench";
    private static final String EXPECTED_STATE = "\"state\":\"succeeded\"";
    private static final String EXPECTED_OUTPUT = "\"stdout\":\"echo bench\\n\"";

    /** What the measured window showed; counters are for the requests due in the window. */
    record Step(int rate, double windowSeconds, long sent, long ok, long errors, String firstError, Histogram latencyMicros,
            Histogram senderLateMicros, long completedInWindow, boolean saturated, long unsent, long unfinished,
            Snapshot start, Snapshot end, Histogram[] perSecond, List<Snapshot> timeline) {

        double completedPerSecond() {
            return completedInWindow / windowSeconds;
        }
    }

    /**
     * Resource counters at one instant, taken off the sending thread.
     *
     * @param node the node under test (with several nodes: the one holding the agents)
     * @param others further processes by name, in the order of the report (other nodes, the broker)
     */
    record Snapshot(HostLoad host, ProcCpu node, ProcCpu agents, ProcCpu bench, NodeGc gc, Map<String, ProcCpu> others) {
        Snapshot(HostLoad host, ProcCpu node, ProcCpu agents, ProcCpu bench, NodeGc gc) {
            this(host, node, agents, bench, gc, Map.of());
        }
    }

    private final HttpClient client;
    private final Context[] contexts;
    private final String host;
    private final int[] ports;
    private final String authorization;
    private final List<String> paths;
    private final byte[] body = ("{\"shell\":\"" + SHELL + "\",\"wait\":true}").getBytes(StandardCharsets.UTF_8);

    OpenLoop(Vertx vertx, String host, int port, String adminKey, List<String> agentIds, int connections) {
        this(vertx, host, List.of(port), adminKey, agentIds, connections);
    }

    /** Requests go to {@code ports} in turn (several nodes sharing the load), each with its own pool of {@code connections} (Vert.x pools per host and port). */
    OpenLoop(Vertx vertx, String host, List<Integer> ports, String adminKey, List<String> agentIds, int connections) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false)
                .setConnectTimeout(10_000), new PoolOptions().setHttp1MaxSize(connections));
        int loops = 2 * Runtime.getRuntime().availableProcessors(); // Vert.x's default event-loop count
        this.contexts = new Context[loops];
        for (int i = 0; i < loops; i++) {
            contexts[i] = ((VertxInternal) vertx).createEventLoopContext();
        }
        this.host = host;
        this.ports = ports.stream().mapToInt(Integer::intValue).toArray();
        this.authorization = "Bearer " + adminKey;
        this.paths = agentIds.stream().map(id -> "/api/clients/" + id + "/commands").toList();
    }

    /**
     * Runs {@code warmup} then {@code measured} at {@code rate}; only requests due in the measured window are
     * recorded. Sending stops early (saturated) when more than {@code maxOutstanding} requests are unanswered.
     */
    Step run(int rate, Duration warmup, Duration measured, int maxOutstanding, Duration drainCap, Supplier<Snapshot> snapshot) {
        double interval = 1e9 / rate;
        long warmupRequests = warmup.toSeconds() * rate;
        long total = warmupRequests + measured.toSeconds() * rate;
        Recorder latency = new Recorder(MAX_MICROS, 3);
        Histogram senderLate = new Histogram(MAX_MICROS, 3);
        AtomicLong outstanding = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong completedInWindow = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long windowStart = start + (long) (warmupRequests * interval);
        long windowEnd = start + (long) (total * interval);
        CompletableFuture<Snapshot> atStart = at(windowStart, snapshot);
        CompletableFuture<Snapshot> atEnd = at(windowEnd, snapshot);
        // latency by the second of the window the request was due in, and the machine's counters every second
        int windowSeconds = (int) measured.toSeconds();
        Histogram[] perSecond = new Histogram[windowSeconds];
        for (int i = 0; i < windowSeconds; i++) {
            perSecond[i] = new Histogram(MAX_MICROS, 2);
        }
        List<Snapshot> timeline = new CopyOnWriteArrayList<>();
        Thread sampler = everySecond(windowStart, windowSeconds, snapshot, timeline);
        long seq = 0;
        boolean saturated = false;
        for (; seq < total; seq++) {
            long due = start + (long) (seq * interval);
            long now = System.nanoTime();
            while (due - now > 0) {
                LockSupport.parkNanos(due - now);
                now = System.nanoTime();
            }
            if (outstanding.get() >= maxOutstanding) {
                saturated = true;
                break;
            }
            boolean recorded = seq >= warmupRequests;
            if (recorded) {
                senderLate.recordValue(Math.min(MAX_MICROS, (now - due) / 1_000));
            }
            outstanding.incrementAndGet();
            String path = paths.get((int) (seq % paths.size()));
            int port = ports[(int) (seq % ports.length)];
            contexts[(int) (seq % contexts.length)].runOnContext(v -> send(port, path).onComplete(ar -> {
                long end = System.nanoTime();
                outstanding.decrementAndGet();
                if (end - windowStart >= 0 && end - windowEnd < 0) {
                    completedInWindow.incrementAndGet();
                }
                if (!recorded) {
                    return;
                }
                String error = ar.failed() ? String.valueOf(ar.cause()) : ar.result();
                if (error == null) {
                    ok.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, error);
                }
                latency.recordValue(Math.min(MAX_MICROS, (end - due) / 1_000));
                Histogram second = perSecond[(int) Math.min(windowSeconds - 1, (due - windowStart) / 1_000_000_000L)];
                synchronized (second) {
                    second.recordValue(Math.min(MAX_MICROS, (end - due) / 1_000));
                }
            }));
        }
        long sentInWindow = Math.max(0, seq - warmupRequests);
        long unsent = total - seq;
        long drainDeadline = System.nanoTime() + drainCap.toNanos();
        while (outstanding.get() > 0 && System.nanoTime() - drainDeadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        Snapshot end = saturated ? snapshot.get() : atEnd.join();
        sampler.interrupt();
        Snapshot begin = atStart.getNow(null);
        if (begin == null) { // saturated before the window began
            begin = atStart.join();
        }
        double window = (Math.min(windowEnd, System.nanoTime()) - windowStart) / 1e9;
        return new Step(rate, Math.max(window, 1e-3), sentInWindow, ok.get(), errors.get(), firstError.get(),
                latency.getIntervalHistogram(), senderLate, completedInWindow.get(), saturated, unsent, outstanding.get(),
                begin, end, perSecond, List.copyOf(timeline));
    }

    private Future<String> send(int port, String path) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path)
                .setIdleTimeout(60_000).putHeader("Authorization", authorization).putHeader("Content-Type", "application/json");
        return client.request(options).compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(b -> {
                    String text = b.toString(StandardCharsets.UTF_8);
                    if (response.statusCode() == 200 && text.contains(EXPECTED_STATE) && text.contains(EXPECTED_OUTPUT)) {
                        return null;
                    }
                    return "HTTP " + response.statusCode() + ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
                }));
    }

    /** Takes a snapshot at {@code start} and every second after it, {@code seconds} + 1 in all, on a thread of its own. */
    private static Thread everySecond(long start, int seconds, Supplier<Snapshot> snapshot, List<Snapshot> into) {
        Thread t = new Thread(() -> {
            for (int i = 0; i <= seconds && !Thread.currentThread().isInterrupted(); i++) {
                long at = start + i * 1_000_000_000L;
                long now;
                while ((now = System.nanoTime()) - at < 0) {
                    LockSupport.parkNanos(at - now);
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                }
                into.add(snapshot.get());
            }
        }, "bench-timeline");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Takes a snapshot at {@code nanoTime}, on a thread of its own, so that the sender is not held up. */
    private static CompletableFuture<Snapshot> at(long nanoTime, Supplier<Snapshot> snapshot) {
        CompletableFuture<Snapshot> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            long now;
            while ((now = System.nanoTime()) - nanoTime < 0) {
                LockSupport.parkNanos(nanoTime - now);
            }
            try {
                result.complete(snapshot.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, "bench-snapshot");
        t.setDaemon(true);
        t.start();
        return result;
    }

    @Override
    public void close() {
        client.close();
    }
}
