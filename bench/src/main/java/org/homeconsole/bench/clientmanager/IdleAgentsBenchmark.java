package org.homeconsole.bench.clientmanager;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.homeconsole.agent.Credentials;
import org.homeconsole.agent.SimulatedFleet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle agents on one node against a plain Vert.x WebSocket echo server, in the same run (issue #3): the node (its own
 * JVM) and the {@link EchoServer} (its own JVM, the same heap and GC options) are started fresh for every round;
 * this JVM connects {@code --agents} simulated agents ({@link SimulatedFleet}: hello, then a heartbeat every 10 s) to
 * the node, and as many plain sockets ({@link EchoFleet}: a heartbeat-sized text frame every 10 s) to the echo server,
 * one server after the other (the order alternates between rounds). For each server:
 *
 * <ul>
 *   <li>connect rate: sockets / time from the first connect to the last welcome (echo: first echo back);</li>
 *   <li>heap per connection: ({@code GC.heap_info} used after {@code GC.run} with every socket open and idle for
 *       {@code --hold-seconds}, minus the same before connecting) / sockets; cross-checked with the live bytes of
 *       {@code GC.class_histogram}, whose per-class difference says which objects a connection costs;</li>
 *   <li>CPU of the server while connecting and while idle (heartbeats only), and the machine's load meanwhile.</li>
 * </ul>
 *
 * Before the measured sockets, {@code --warmup} sockets connect and leave again on each server (class loading, JIT,
 * first-use buffers), so that one-off costs do not count as per-connection ones; the baseline heap is taken
 * {@code --settle-seconds} later, once the node's hello deadline no longer holds the closed warm-up sockets. After the
 * last round, the agents connect to the node once more with a Java Flight Recording running ({@link JfrProfile}) to
 * show where a connect's CPU goes (not counted). Prints Markdown; asserts nothing.
 */
public final class IdleAgentsBenchmark {

    static final String USAGE = "options: --agents=10000 --connect-rate=10000 (per second; 0 = all at once) --hold-seconds=15 "
            + "--rounds=3 --warmup=2000 --settle-seconds=12 --profile=true --heartbeat-ms=10000 --root=. --node-classpath=<root>/dist/target/lib/* "
            + "--server-jvm-options='-Xms1g -Xmx1g -XX:+UseG1GC' --http-port=18000 --kafka-port=19092 --cm-port=20000 "
            + "--echo-port=20100 --work-dir=<root>/bench/target/client-manager [--out=FILE]";

    private static final Logger LOG = LoggerFactory.getLogger(IdleAgentsBenchmark.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(180);
    private static final int TOP_CLASSES = 14;
    private static final int EXTRA_CLASSES = 24;
    private static final int TOP_THREADS = 8;

    /** One server's figures in one round. */
    record Result(String server, int round, int target, int connected, double connectSeconds, int connectFailures,
            long heapBefore, long heapAfter, long liveBefore, long liveAfter, long rssBeforeKiB, long rssAfterKiB,
            int threadsBefore, int threadsAfter, double connectCpuSeconds, double connectStealShare, double connectOtherCores,
            double holdSeconds, double idleCpuSeconds, double idleStealShare, double idleOtherCores,
            Map<String, long[]> topClasses, double connectClientCpuSeconds, double idleClientCpuSeconds,
            Map<String, Double> connectThreads, Map<String, Double> idleThreads) {

        double connectRate() {
            return connected / connectSeconds;
        }

        double bytesPerConnection() {
            return (double) (heapAfter - heapBefore) / connected;
        }

        double liveBytesPerConnection() {
            return (double) (liveAfter - liveBefore) / connected;
        }

        /** CPU seconds of the server while connecting, without its JIT compiler threads. */
        double connectCpuWithoutJit() {
            return connectCpuSeconds - jit(connectThreads);
        }

        double idleCpuWithoutJit() {
            return idleCpuSeconds - jit(idleThreads);
        }

        private static double jit(Map<String, Double> threads) {
            return threads.entrySet().stream().filter(e -> e.getKey().startsWith("C# Compiler")).mapToDouble(Map.Entry::getValue).sum();
        }
    }

    private final int agents;
    private final int connectRate;
    private final int holdSeconds;
    private final int rounds;
    private final int warmup;
    private final int heartbeatMs;
    private final int settleSeconds;
    private final boolean profile;
    private String profileReport = "";
    private final int echoPort;
    private final String benchClasspath;
    private final List<String> serverJvmOptions;
    private final Node.Settings nodeSettings;
    private final Path out;
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private IdleAgentsBenchmark(Args args) {
        Path root = args.path("root", Path.of(".")).toAbsolutePath().normalize();
        agents = args.integer("agents", 10_000);
        connectRate = args.integer("connect-rate", 10_000);
        holdSeconds = args.integer("hold-seconds", 15);
        rounds = args.integer("rounds", 3);
        warmup = args.integer("warmup", 2_000);
        heartbeatMs = args.integer("heartbeat-ms", 10_000);
        settleSeconds = args.integer("settle-seconds", 12);
        profile = Boolean.parseBoolean(args.string("profile", "true"));
        echoPort = args.integer("echo-port", 20_100);
        // absolute: the echo server runs in the node's working directory (--root), not necessarily this one
        benchClasspath = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> entry.endsWith("*") ? Path.of(entry.substring(0, entry.length() - 1)).toAbsolutePath() + "/*"
                        : Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        serverJvmOptions = Arrays.asList(args.string("server-jvm-options", "-Xms1g -Xmx1g -XX:+UseG1GC").trim().split("\\s+"));
        nodeSettings = new Node.Settings(root, args.string("node-classpath", root.resolve("dist/target/lib") + "/*"),
                serverJvmOptions, args.integer("http-port", 18_000), args.integer("kafka-port", 19_092),
                args.integer("cm-port", 20_000), Map.of("CLIENT_MANAGER_HEARTBEAT_INTERVAL_MS", Integer.toString(heartbeatMs)),
                args.path("work-dir", root.resolve("bench/target/client-manager")).toAbsolutePath());
        out = args.path("out", null);
        args.done();
    }

    public static void main(String[] args) throws Exception {
        IdleAgentsBenchmark benchmark;
        try {
            benchmark = new IdleAgentsBenchmark(new Args(args, USAGE));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try {
            benchmark.run();
        } finally {
            benchmark.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        String started = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<Result> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            LOG.info("Round {} of {}", round, rounds);
            try (Node node = Node.start(nodeSettings, "idle-r" + round);
                    ChildJvm echo = startEcho(round)) {
                List<Credentials> credentials = node.issueTokens(agents + warmup, "bench-", 64);
                List<Credentials> warm = credentials.subList(agents, agents + warmup);
                List<Credentials> measured = credentials.subList(0, agents);
                LOG.info("Warm-up: {} sockets to each server, connected and closed (not measured)", warmup);
                agentsOnNode(node, warm, round, true);
                echoSockets(echo, round, warmup, true);
                boolean nodeFirst = round % 2 == 1;
                if (nodeFirst) {
                    results.add(agentsOnNode(node, measured, round, false));
                    results.add(echoSockets(echo, round, agents, false));
                } else {
                    results.add(echoSockets(echo, round, agents, false));
                    results.add(agentsOnNode(node, measured, round, false));
                }
                if (round == rounds && profile) {
                    profileReport = profileConnects(node, measured, round);
                }
            }
        }
        String report = report(started, results);
        System.out.println();
        System.out.println(report);
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
            LOG.info("Written to {}", out.toAbsolutePath());
        }
    }

    /**
     * After the last round's measurements: the same agents connect to the node once more, with a Java Flight
     * Recording of the node running ({@link JfrProfile}), to see where a connect's CPU goes. Not counted in the
     * results (JFR costs some CPU).
     */
    private String profileConnects(Node node, List<Credentials> credentials, int round) throws InterruptedException {
        long pid = node.pid();
        Path jfr = nodeSettings.workDir().resolve("idle-r" + round + "-node-connect.jfr");
        Node.sleep(settleSeconds * 1000L);
        JvmTools.jcmd(pid, "JFR.start name=bench-connect settings=profile filename=" + jfr);
        Node.sleep(3_000);
        LOG.info("Profiling: {} agents connect again with JFR on the node -> {}", credentials.size(), jfr);
        ProcCpu c0 = ProcCpu.of(pid);
        long t0 = System.nanoTime();
        SimulatedFleet fleet = SimulatedFleet.start(vertx, List.of(node.agentUrl()), credentials, Map.of("fleet", "bench"),
                new SimulatedFleet.Options(connectRate, true));
        try {
            fleet.awaitConnected(credentials.size(), CONNECT_TIMEOUT);
            long t1 = System.nanoTime();
            ProcCpu c1 = ProcCpu.of(pid);
            JvmTools.jcmd(pid, "JFR.stop name=bench-connect");
            int connected = fleet.connectedCount();
            double window = (t1 - t0) / 1e9;
            Map<String, Double> groups = c1.groupsSince(c0);
            double nodeSeconds = c1.secondsSince(c0);
            double jit = groups.entrySet().stream().filter(e -> e.getKey().startsWith("C# Compiler")).mapToDouble(Map.Entry::getValue).sum();
            double gc = groups.entrySet().stream().filter(e -> e.getKey().startsWith("GC Thread") || e.getKey().startsWith("G# ")
                    || e.getKey().equals("VM Thread")).mapToDouble(Map.Entry::getValue).sum();
            double java = Math.max(0, nodeSeconds - jit - gc);
            JfrProfile.Result p = JfrProfile.analyze(jfr);
            StringBuilder s = new StringBuilder();
            s.append(Stats.f("%n#### Where a connect's CPU goes on the node (round %d, the same %,d agents connecting once more with JFR on)%n%n",
                    round, connected));
            s.append(Stats.f("- %,d connected in %.2f s (%,.0f/s); node CPU %.2f cores = %.0f µs per connect: JIT compiler threads %.2f, "
                            + "GC and VM threads %.2f, Java threads %.2f cores (%.0f µs per connect)%n", connected, window,
                    connected / window, nodeSeconds / window, 1e6 * nodeSeconds / connected, jit / window, gc / window, java / window,
                    1e6 * java / connected));
            s.append(Stats.f("- %,d execution samples of Java threads, each in the first component whose rule matches (`JfrProfile`)%n%n",
                    p.total()));
            s.append(JfrProfile.table(p, java, window, connected, "connect"));
            s.append("\nExecution samples by thread: ").append(JfrProfile.threads(p, 8)).append('\n');
            return s.toString();
        } finally {
            fleet.close();
        }
    }

    private ChildJvm startEcho(int round) throws IOException, InterruptedException {
        ChildJvm echo = ChildJvm.start("echo server r" + round, serverJvmOptions, benchClasspath, EchoServer.class.getName(),
                List.of("--port=" + echoPort), Map.of(), nodeSettings.root(), nodeSettings.workDir().resolve("idle-r" + round + "-echo.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            echo.requireAlive();
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + echoPort + "/ready")).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return echo;
                }
            } catch (IOException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the echo server did not answer within 60 s:\n" + echo.tail(20));
                }
            }
            Node.sleep(100);
        }
    }

    private Result agentsOnNode(Node node, List<Credentials> credentials, int round, boolean warmupOnly) throws InterruptedException {
        return measure("node", node.process(), round, credentials.size(), warmupOnly, () -> {
            SimulatedFleet fleet = SimulatedFleet.start(vertx, List.of(node.agentUrl()), credentials, Map.of("fleet", "bench"),
                    new SimulatedFleet.Options(connectRate, true));
            return new Fleet() {
                @Override
                public boolean await(int n, Duration timeout) throws InterruptedException {
                    return fleet.awaitConnected(n, timeout);
                }

                @Override
                public int connected() {
                    return fleet.connectedCount();
                }

                @Override
                public int failures() {
                    return -1;
                }

                @Override
                public void close() {
                    fleet.close();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (node.agentsConnected() > 0 && System.nanoTime() - deadline < 0) {
                        Node.sleep(200);
                    }
                }
            };
        });
    }

    private Result echoSockets(ChildJvm echo, int round, int count, boolean warmupOnly) throws InterruptedException {
        return measure("echo", echo, round, count, warmupOnly, () -> {
            EchoFleet fleet = EchoFleet.start(vertx, URI.create("ws://127.0.0.1:" + echoPort + "/ws"), count, connectRate, heartbeatMs);
            return new Fleet() {
                @Override
                public boolean await(int n, Duration timeout) throws InterruptedException {
                    return fleet.awaitConnected(n, timeout);
                }

                @Override
                public int connected() {
                    return fleet.connectedCount();
                }

                @Override
                public int failures() {
                    return fleet.failures();
                }

                @Override
                public void close() {
                    fleet.close();
                    Node.sleep(2_000);
                }
            };
        });
    }

    private interface Fleet extends AutoCloseable {
        boolean await(int n, Duration timeout) throws InterruptedException;

        int connected();

        int failures();

        @Override
        void close();
    }

    private interface FleetStarter {
        Fleet start();
    }

    private Result measure(String server, ChildJvm process, int round, int count, boolean warmupOnly, FleetStarter starter)
            throws InterruptedException {
        long pid = process.pid();
        long self = ProcessHandle.current().pid();
        if (warmupOnly) {
            try (Fleet fleet = starter.start()) {
                if (!fleet.await(count, CONNECT_TIMEOUT)) {
                    throw new IllegalStateException("warm-up: only " + fleet.connected() + " of " + count + " sockets connected to " + server);
                }
            }
            return null;
        }
        // the node keeps a closed socket reachable until its hello deadline (10 s) has passed: let the warm-up's go
        Node.sleep(settleSeconds * 1000L);
        JvmTools.Heap heapBefore = JvmTools.heapAfterGc(pid);
        JvmTools.Histogram liveBefore = JvmTools.histogram(pid);
        long rssBefore = ProcCpu.rssKiB(pid);
        int threadsBefore = ProcCpu.threadCount(pid);
        LOG.info("{} round {}: heap used after GC {} MB before connecting; connecting {} sockets at {}", server, round,
                heapBefore.usedBytes() >> 20, count, connectRate <= 0 ? "once" : connectRate + "/s");

        HostLoad load0 = HostLoad.now();
        ProcCpu server0 = ProcCpu.of(pid);
        ProcCpu bench0 = ProcCpu.of(self);
        long t0 = System.nanoTime();
        try (Fleet fleet = starter.start()) {
            boolean all = fleet.await(count, CONNECT_TIMEOUT);
            long t1 = System.nanoTime();
            HostLoad load1 = HostLoad.now();
            ProcCpu server1 = ProcCpu.of(pid);
            ProcCpu bench1 = ProcCpu.of(self);
            int connected = fleet.connected();
            double connectSeconds = (t1 - t0) / 1e9;
            if (!all) {
                LOG.warn("{} round {}: only {} of {} connected within {} s", server, round, connected, count, CONNECT_TIMEOUT.toSeconds());
            }
            LOG.info("{} round {}: {} connected in {} s = {} /s; idle for {} s", server, round, connected,
                    Stats.f("%.2f", connectSeconds), Stats.f("%.0f", connected / connectSeconds), holdSeconds);

            Node.sleep(holdSeconds * 1000L);
            long t2 = System.nanoTime();
            HostLoad load2 = HostLoad.now();
            ProcCpu server2 = ProcCpu.of(pid);
            ProcCpu bench2 = ProcCpu.of(self);
            process.requireAlive();
            int stillConnected = fleet.connected();
            if (stillConnected != connected) {
                LOG.warn("{} round {}: {} connected after the idle period, {} before", server, round, stillConnected, connected);
            }
            JvmTools.Heap heapAfter = JvmTools.heapAfterGc(pid);
            JvmTools.Histogram liveAfter = JvmTools.histogram(pid);
            long rssAfter = ProcCpu.rssKiB(pid);
            int threadsAfter = ProcCpu.threadCount(pid);
            double hold = (t2 - t1) / 1e9;
            Result r = new Result(server, round, count, stillConnected, connectSeconds, fleet.failures(),
                    heapBefore.usedBytes(), heapAfter.usedBytes(), liveBefore.totalBytes(), liveAfter.totalBytes(), rssBefore,
                    rssAfter, threadsBefore, threadsAfter, server1.secondsSince(server0), load1.stealShare(load0),
                    others(load0, load1, server1.secondsSince(server0) + bench1.secondsSince(bench0), connectSeconds),
                    hold, server2.secondsSince(server1), load2.stealShare(load1),
                    others(load1, load2, server2.secondsSince(server1) + bench2.secondsSince(bench1), hold),
                    topClasses(liveBefore, liveAfter), bench1.secondsSince(bench0), bench2.secondsSince(bench1),
                    server1.groupsSince(server0), server2.groupsSince(server1));
            LOG.info("{} round {}: heap used after GC {} MB -> {} bytes per connection (live objects: {}); idle CPU {} cores",
                    server, round, heapAfter.usedBytes() >> 20, Stats.f("%.0f", r.bytesPerConnection()),
                    Stats.f("%.0f", r.liveBytesPerConnection()), Stats.f("%.3f", r.idleCpuSeconds() / hold));
            return r;
        }
    }

    /** Cores other processes kept busy: the machine's busy time minus the server's and this JVM's. */
    private static double others(HostLoad from, HostLoad to, double oursSeconds, double seconds) {
        double busy = to.busySeconds(from);
        return busy < 0 ? -1 : Math.max(0, busy - oursSeconds) / seconds;
    }

    private static Map<String, long[]> topClasses(JvmTools.Histogram before, JvmTools.Histogram after) {
        Map<String, long[]> delta = new LinkedHashMap<>();
        after.byClass().forEach((name, v) -> {
            long[] b = before.byClass().getOrDefault(name, new long[2]);
            delta.put(name, new long[] {v[0] - b[0], v[1] - b[1]});
        });
        before.byClass().forEach((name, b) -> delta.putIfAbsent(name, new long[] {-b[0], -b[1]}));
        Map<String, long[]> sorted = new LinkedHashMap<>();
        delta.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private String report(String started, List<Result> results) {
        StringBuilder s = new StringBuilder();
        s.append(Stats.f("### Idle agents: heap per connection and connect rate (run %s)%n%n", started));
        s.append(Stats.f("- machine: %d CPUs, %s; Java %s (%s)%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name")));
        s.append(Stats.f("- servers, each its own JVM started fresh for every round, same options `%s`: the node (`%s`, client manager "
                        + "standalone on 127.0.0.1:%d, heartbeat %d ms) and the plain Vert.x echo server (`%s`)%n",
                String.join(" ", serverJvmOptions), Node.MAIN_CLASS, nodeSettings.cmPort(), heartbeatMs, EchoServer.class.getName()));
        s.append(Stats.f("- clients, in the benchmark JVM, one server after the other (order alternating by round): %,d simulated agents "
                        + "(hello with one label, heartbeat + ping every %d ms) against %,d plain sockets (one %d-byte text frame "
                        + "on open and every %d ms); both ramp at %s, after %d warm-up sockets per server%n", agents, heartbeatMs,
                agents, ("{\"type\":\"heartbeat\",\"ts\":" + System.currentTimeMillis() + ",\"running\":0}").length(), heartbeatMs,
                connectRate <= 0 ? "all at once" : Stats.f("%,d connects/s offered", connectRate), warmup));
        s.append(Stats.f("- heap: `jcmd <pid> GC.run` twice, then `GC.heap_info` used, before connecting and after %d s idle with every "
                + "socket open; live = total of `GC.class_histogram` (its own full GC); per connection = difference / sockets%n", holdSeconds));
        s.append("- connect rate = sockets / (last welcome or first echo − first connect); CPU = the server process (/proc), "
                + "cores = CPU s / wall s; steal and other = the rest of the machine meanwhile\n\n");

        s.append("| round | server | sockets | connect s | connects/s | failed connects | heap before MB | heap after MB | "
                + "bytes/conn (heap used) | bytes/conn (live objects) | RSS Δ MB | threads Δ | CPU while connecting, cores (without JIT) | "
                + "CPU per connect ms (without JIT) | idle CPU, cores (without JIT) | client CPU cores connect / idle | steal % connect / idle | "
                + "other processes cores connect / idle |\n");
        s.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            s.append(Stats.f("| %d | %s | %,d | %.2f | %,.0f | %s | %.1f | %.1f | %,.0f | %,.0f | %.1f | %+d | %.2f (%.2f) | %.3f (%.3f) | %.3f (%.3f) | %.2f / %.2f | %s / %s | %s / %s |%n",
                    r.round(), r.server(), r.connected(), r.connectSeconds(), r.connectRate(),
                    r.connectFailures() < 0 ? "–" : Integer.toString(r.connectFailures()), r.heapBefore() / 1048576.0,
                    r.heapAfter() / 1048576.0, r.bytesPerConnection(), r.liveBytesPerConnection(),
                    (r.rssAfterKiB() - r.rssBeforeKiB()) / 1024.0, r.threadsAfter() - r.threadsBefore(),
                    r.connectCpuSeconds() / r.connectSeconds(), r.connectCpuWithoutJit() / r.connectSeconds(),
                    1000 * r.connectCpuSeconds() / r.connected(), 1000 * r.connectCpuWithoutJit() / r.connected(),
                    r.idleCpuSeconds() / r.holdSeconds(), r.idleCpuWithoutJit() / r.holdSeconds(), r.connectClientCpuSeconds() / r.connectSeconds(),
                    r.idleClientCpuSeconds() / r.holdSeconds(), pct(r.connectStealShare()), pct(r.idleStealShare()),
                    num(r.connectOtherCores()), num(r.idleOtherCores())));
        }

        List<Result> node = results.stream().filter(r -> r.server().equals("node")).toList();
        List<Result> echo = results.stream().filter(r -> r.server().equals("echo")).toList();
        List<Double> ratios = new ArrayList<>();
        List<Double> liveRatios = new ArrayList<>();
        for (Result n : node) {
            echo.stream().filter(e -> e.round() == n.round()).findFirst().ifPresent(e -> {
                ratios.add(n.bytesPerConnection() / e.bytesPerConnection());
                liveRatios.add(n.liveBytesPerConnection() / e.liveBytesPerConnection());
            });
        }
        List<Double> nodeBytes = node.stream().map(Result::bytesPerConnection).toList();
        List<Double> perGiB = node.stream().map(r -> (1L << 30) / r.bytesPerConnection()).toList();
        List<Double> nodeRates = node.stream().map(Result::connectRate).toList();
        s.append(Stats.f("%n| figure, %d rounds | node | echo server | node / echo | target | met? |%n", node.size()));
        s.append("|---|---:|---:|---:|---|---|\n");
        s.append(Stats.f("| heap per connection, bytes (heap used after GC), median (min – max) | %s | %s | %s | ≤ 2× echo | %s |%n",
                Stats.summary(nodeBytes, "%,.0f"), Stats.summary(echo.stream().map(Result::bytesPerConnection).toList(), "%,.0f"),
                Stats.summary(ratios, "%.2f"), verdict(ratios, 2.0, true)));
        s.append(Stats.f("| heap per connection, bytes (live objects) | %s | %s | %s | | |%n",
                Stats.summary(node.stream().map(Result::liveBytesPerConnection).toList(), "%,.0f"),
                Stats.summary(echo.stream().map(Result::liveBytesPerConnection).toList(), "%,.0f"), Stats.summary(liveRatios, "%.2f")));
        s.append(Stats.f("| agents per GiB of heap | %s | %s | | ≥ 100,000 | %s |%n", Stats.summary(perGiB, "%,.0f"),
                Stats.summary(echo.stream().map(r -> (1L << 30) / r.bytesPerConnection()).toList(), "%,.0f"),
                verdict(perGiB, 100_000, false)));
        s.append(Stats.f("| connect rate, connects/s (%s) | %s | %s | | ≥ 2,500/s | %s |%n",
                connectRate <= 0 ? "all at once" : Stats.f("%,d/s offered", connectRate), Stats.summary(nodeRates, "%,.0f"),
                Stats.summary(echo.stream().map(Result::connectRate).toList(), "%,.0f"), verdict(nodeRates, 2_500, false)));
        s.append(Stats.f("| server CPU per connect, ms, without JIT compiler threads | %s | %s | %s | | |%n",
                Stats.summary(node.stream().map(r -> 1000 * r.connectCpuWithoutJit() / r.connected()).toList(), "%.3f"),
                Stats.summary(echo.stream().map(r -> 1000 * r.connectCpuWithoutJit() / r.connected()).toList(), "%.3f"),
                Stats.summary(pairs(node, echo, r -> r.connectCpuWithoutJit() / r.connected()), "%.2f")));
        s.append(Stats.f("| idle CPU with every socket open, cores, without JIT compiler threads | %s | %s | | | |%n",
                Stats.summary(node.stream().map(r -> r.idleCpuWithoutJit() / r.holdSeconds()).toList(), "%.3f"),
                Stats.summary(echo.stream().map(r -> r.idleCpuWithoutJit() / r.holdSeconds()).toList(), "%.3f")));

        for (List<Result> one : List.of(node, echo)) {
            if (one.isEmpty()) {
                continue;
            }
            Result last = one.get(one.size() - 1);
            s.append(Stats.f("%n#### Live objects added per connection, %s, round %d (`GC.class_histogram` difference / %,d)%n%n",
                    last.server(), last.round(), last.connected()));
            s.append("| class | bytes per connection | instances per connection |\n|---|---:|---:|\n");
            last.topClasses().entrySet().stream().limit(TOP_CLASSES).forEach(e -> s.append(Stats.f("| `%s` | %,.1f | %.2f |%n",
                    e.getKey(), (double) e.getValue()[1] / last.connected(), (double) e.getValue()[0] / last.connected())));
        }
        // what the node keeps per agent beyond what plain Vert.x keeps per socket, class by class
        Result lastNode = node.isEmpty() ? null : node.get(node.size() - 1);
        Result sameRoundEcho = lastNode == null ? null
                : echo.stream().filter(e -> e.round() == lastNode.round()).findFirst().orElse(null);
        if (sameRoundEcho != null) {
            Map<String, Double> extra = new LinkedHashMap<>();
            lastNode.topClasses().forEach((name, v) -> extra.merge(name, (double) v[1] / lastNode.connected(), Double::sum));
            sameRoundEcho.topClasses().forEach((name, v) -> extra.merge(name, -(double) v[1] / sameRoundEcho.connected(), Double::sum));
            double total = extra.values().stream().mapToDouble(Double::doubleValue).sum();
            s.append(Stats.f("%n#### What the node keeps per agent beyond the echo server's socket, round %d: %,.0f bytes of live objects%n%n",
                    lastNode.round(), total));
            s.append("| class | bytes per connection, node − echo |\n|---|---:|\n");
            extra.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(EXTRA_CLASSES)
                    .forEach(e -> s.append(Stats.f("| `%s` | %,.1f |%n", e.getKey(), e.getValue())));
            double listed = extra.values().stream().sorted(java.util.Comparator.reverseOrder()).limit(EXTRA_CLASSES)
                    .mapToDouble(Double::doubleValue).sum();
            s.append(Stats.f("| (all other classes, net) | %,.1f |%n", total - listed));
        }
        for (List<Result> one : List.of(node, echo)) {
            if (one.isEmpty()) {
                continue;
            }
            Result last = one.get(one.size() - 1);
            s.append(Stats.f("%n#### CPU of the %s by thread, round %d (cores; digits in thread names folded to #)%n%n", last.server(), last.round()));
            s.append("| while connecting | cores | | while idle | cores |\n|---|---:|---|---|---:|\n");
            List<Map.Entry<String, Double>> c = new ArrayList<>(last.connectThreads().entrySet());
            List<Map.Entry<String, Double>> i = new ArrayList<>(last.idleThreads().entrySet());
            for (int k = 0; k < TOP_THREADS && (k < c.size() || k < i.size()); k++) {
                s.append(Stats.f("| %s | %s | | %s | %s |%n", k < c.size() ? "`" + c.get(k).getKey() + "`" : "",
                        k < c.size() ? Stats.f("%.3f", c.get(k).getValue() / last.connectSeconds()) : "",
                        k < i.size() ? "`" + i.get(k).getKey() + "`" : "",
                        k < i.size() ? Stats.f("%.3f", i.get(k).getValue() / last.holdSeconds()) : ""));
            }
        }
        s.append(profileReport);
        return s.toString();
    }

    /** Per round, the node's figure over the echo server's. */
    private static List<Double> pairs(List<Result> node, List<Result> echo, java.util.function.ToDoubleFunction<Result> figure) {
        List<Double> ratios = new ArrayList<>();
        for (Result n : node) {
            echo.stream().filter(e -> e.round() == n.round()).findFirst()
                    .ifPresent(e -> ratios.add(figure.applyAsDouble(n) / figure.applyAsDouble(e)));
        }
        return ratios;
    }

    /** "met in every round", "met in some rounds", "NOT met"; {@code atMost}: the figure must be ≤ target, else ≥. */
    static String verdict(List<Double> values, double target, boolean atMost) {
        long ok = values.stream().filter(v -> atMost ? v <= target : v >= target).count();
        return ok == values.size() ? "met in every round" : ok > 0 ? "met in " + ok + " of " + values.size() + " rounds" : "NOT met";
    }

    private static String pct(double share) {
        return share < 0 ? "–" : Stats.f("%.0f", 100 * share);
    }

    private static String num(double v) {
        return v < 0 ? "–" : Stats.f("%.2f", v);
    }
}
