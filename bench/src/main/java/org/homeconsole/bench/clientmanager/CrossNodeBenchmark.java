package org.homeconsole.bench.clientmanager;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.homeconsole.agent.Credentials;
import org.homeconsole.testsupport.RedisSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-node command round trip (issue #4): {@code --agents} simulated agents connected to node A, REST calls on
 * node B, so that every command goes B → Kafka → A → agent → A → Kafka → B; beside it, in the same run and on the
 * same cluster, the single-node figures (REST on A itself), and the same load with a third node (REST on B and C in
 * turn) to show how the cost per command changes from 2 to 3 nodes.
 *
 * <p>Every round starts a fresh cluster the way {@code infra/scripts/start-cluster.sh} does: one Kafka broker
 * process ({@code EmbeddedKafkaBroker}), one Redis of its own ({@link RedisSupport#startPrivate()}: the
 * {@code redis-server} binary embedded-redis bundles, or the system's), and client-manager nodes as their own JVMs
 * ({@link Node}, standalone client manager, {@code KAFKA_BOOTSTRAP_SERVERS} and {@code REDIS_URL} shared, own
 * SQLite data directory, one admin key for all). Each set-up gets its JIT warm-up, then steps through the rates
 * ({@link RateSteps}). CPU per command is taken from /proc for every node and the broker.
 */
public final class CrossNodeBenchmark {

    static final String USAGE = "options: " + RateSteps.OPTIONS + " --rounds=1 --agents=10000 --connections=256 "
            + "--root=. --node-classpath=<root>/dist/target/lib/* --server-jvm-options='-Xms1g -Xmx1g -XX:+UseG1GC' "
            + "--agents-jvm-options='-Xms512m -Xmx512m -XX:+UseG1GC' --broker-jvm-options='-Xms512m -Xmx512m' "
            + "--http-port=18000 --kafka-port=19092 --cm-port=20000 --work-dir=<root>/bench/target/client-manager [--out=FILE]";

    private static final Logger LOG = LoggerFactory.getLogger(CrossNodeBenchmark.class);
    private static final String BROKER_MAIN = "org.homeconsole.connector.kafka.broker.EmbeddedKafkaBroker";
    private static final String[] NODE_NAMES = {"A", "B", "C"};

    /** A set-up measured in every round: where the REST calls go, how many nodes the cluster has. */
    enum Setup {
        SINGLE("1 node: REST and agents on A", 1, 10.0, 5_000),
        CROSS_2("2 nodes: agents on A, REST on B", 2, 10.0, 6_000),
        CROSS_3("3 nodes: agents on A, REST on B and C in turn", 3, 10.0, 6_000);

        final String title;
        final int nodes;
        final double p99TargetMs;
        final int rateTarget;

        Setup(String title, int nodes, double p99TargetMs, int rateTarget) {
            this.title = title;
            this.nodes = nodes;
            this.p99TargetMs = p99TargetMs;
            this.rateTarget = rateTarget;
        }
    }

    /** What a set-up's cluster spends with the agents connected and no command, cores by process. */
    record Idle(Setup setup, int round, Map<String, Double> cores) {
    }

    private final RateSteps steps;
    private final int rounds;
    private final int agents;
    private final int connections;
    private final Path root;
    private final String classpath;
    private final List<String> serverJvmOptions;
    private final List<String> agentsJvmOptions;
    private final List<String> brokerJvmOptions;
    private final int httpPort;
    private final int kafkaPort;
    private final int cmPort;
    private final Path workDir;
    private final Path out;
    private final List<String> notes = new ArrayList<>();
    private final List<Idle> idle = new ArrayList<>();
    private final Map<RateSteps.Result, Setup> setups = new LinkedHashMap<>();
    private final Vertx vertx = Vertx.vertx();

    private CrossNodeBenchmark(Args args) {
        steps = new RateSteps(args);
        root = args.path("root", Path.of(".")).toAbsolutePath().normalize();
        rounds = args.integer("rounds", 1);
        agents = args.integer("agents", 10_000);
        connections = args.integer("connections", 256);
        classpath = args.string("node-classpath", root.resolve("dist/target/lib") + "/*");
        serverJvmOptions = options(args.string("server-jvm-options", "-Xms1g -Xmx1g -XX:+UseG1GC"));
        agentsJvmOptions = options(args.string("agents-jvm-options", "-Xms512m -Xmx512m -XX:+UseG1GC"));
        brokerJvmOptions = options(args.string("broker-jvm-options", "-Xms512m -Xmx512m"));
        httpPort = args.integer("http-port", 18_000);
        kafkaPort = args.integer("kafka-port", 19_092);
        cmPort = args.integer("cm-port", 20_000);
        workDir = args.path("work-dir", root.resolve("bench/target/client-manager")).toAbsolutePath();
        out = args.path("out", null);
        args.done();
    }

    private static List<String> options(String text) {
        return Arrays.asList(text.trim().split("\\s+"));
    }

    public static void main(String[] args) throws Exception {
        CrossNodeBenchmark benchmark;
        try {
            benchmark = new CrossNodeBenchmark(new Args(args, USAGE));
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
        for (int round = 1; round <= rounds; round++) {
            LOG.info("Round {} of {}", round, rounds);
            round(round);
        }
        String report = report(started);
        System.out.println();
        System.out.println(report);
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
            LOG.info("Written to {}", out.toAbsolutePath());
        }
    }

    private void round(int round) throws Exception {
        Files.createDirectories(workDir);
        Path kafkaDir = Files.createTempDirectory(workDir, "cross-r" + round + "-kafka-");
        try (RedisSupport.PrivateRedis redis = RedisSupport.startPrivate();
                ChildJvm broker = ChildJvm.start("kafka broker r" + round, brokerJvmOptions, classpath, BROKER_MAIN,
                        List.of(kafkaDir.toString(), Integer.toString(kafkaPort)), Map.of(), root,
                        workDir.resolve("cross-r" + round + "-broker.log"))) {
            awaitPort(kafkaPort, broker);
            String adminKey = "bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-admin-key";
            LOG.info("Round {}: broker on 127.0.0.1:{} (pid {}), Redis {} ({})", round, kafkaPort, broker.pid(), redis.uri(),
                    redis.binary());
            try (Node a = startNode(0, round, redis.uri(), adminKey); Node b = startNode(1, round, redis.uri(), adminKey)) {
                List<Credentials> credentials = a.issueTokens(agents, "bench-", 64);
                Path tokens = workDir.resolve("cross-r" + round + "-tokens.txt");
                Files.write(tokens, credentials.stream().map(c -> c.agentId() + " " + c.token()).toList(), StandardCharsets.UTF_8);
                List<String> agentIds = credentials.stream().map(Credentials::agentId).toList();
                try (ChildJvm fleet = ChildJvm.start("agents r" + round, agentsJvmOptions, classpath, "org.homeconsole.agent.AgentMain",
                        List.of("--url", a.agentUrl().toString(), "--simulate", Integer.toString(agents), "--tokens-file",
                                tokens.toString()), Map.of(), root, workDir.resolve("cross-r" + round + "-agents.log"))) {
                    a.awaitAgents(fleet, agents);
                    Runnable alive = () -> {
                        a.process().requireAlive();
                        b.process().requireAlive();
                        fleet.requireAlive();
                        broker.requireAlive();
                    };
                    measure(Setup.SINGLE, round, List.of(a), List.of(a), agentIds, adminKey, fleet, broker, alive);
                    measure(Setup.CROSS_2, round, List.of(a, b), List.of(b), agentIds, adminKey, fleet, broker, alive);
                    try (Node c = startNode(2, round, redis.uri(), adminKey)) {
                        measure(Setup.CROSS_3, round, List.of(a, b, c), List.of(b, c), agentIds, adminKey, fleet, broker, () -> {
                            alive.run();
                            c.process().requireAlive();
                        });
                    }
                    if (a.agentsConnected() != agents) {
                        LOG.warn("Round {}: {} agents connected to A at the end, {} expected", round, a.agentsConnected(), agents);
                    }
                } finally {
                    Files.deleteIfExists(tokens);
                }
            }
        } finally {
            deleteTree(kafkaDir);
        }
    }

    /** Node {@code index} (A, B, C) of the round's cluster: ports counted up from the base ports. */
    private Node startNode(int index, int round, String redisUri, String adminKey) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + kafkaPort);
        env.put("REDIS_URL", redisUri);
        env.put("HOMECONSOLE_NODE_ID", "bench-" + NODE_NAMES[index].toLowerCase());
        env.put("HOMECONSOLE_ADMIN_API_KEY", adminKey);
        // as in docker-compose.yml: client-manager nodes only; the example plugin's services belong to one node
        env.put("HOMECONSOLE_DISABLED_PLUGINS", "devices");
        Node.Settings settings = new Node.Settings(root, classpath, serverJvmOptions, httpPort + index, kafkaPort, cmPort + index,
                env, workDir);
        return Node.start(settings, "cross-r" + round + "-" + NODE_NAMES[index].toLowerCase());
    }

    /**
     * One set-up: the snapshot takes node A as "the node" (it holds the agents; its GC is reported) and every other
     * node and the broker as further processes; the JIT warm-up waits for every node's compiler.
     */
    private void measure(Setup setup, int round, List<Node> nodes, List<Node> restNodes, List<String> agentIds, String adminKey,
            ChildJvm fleet, ChildJvm broker, Runnable alive) {
        Node a = nodes.get(0);
        long self = ProcessHandle.current().pid();
        Supplier<OpenLoop.Snapshot> snapshot = () -> {
            Map<String, ProcCpu> others = new LinkedHashMap<>();
            for (int i = 1; i < nodes.size(); i++) {
                others.put("node " + NODE_NAMES[i], ProcCpu.of(nodes.get(i).pid()));
            }
            others.put("broker", ProcCpu.of(broker.pid()));
            return new OpenLoop.Snapshot(HostLoad.now(), ProcCpu.of(a.pid()), ProcCpu.of(fleet.pid()), ProcCpu.of(self),
                    NodeGc.of(httpPort), others);
        };
        String label = "round " + round + ", " + setup.title;
        try (OpenLoop load = new OpenLoop(vertx, "127.0.0.1", restNodes.stream().map(n -> cmPort + nodes.indexOf(n)).toList(),
                adminKey, agentIds, connections)) {
            notes.add(steps.warmUp(load, label, nodes.stream().map(Node::pid).toList(), snapshot));
            idle.add(idle(setup, round, snapshot));
            for (RateSteps.Result r : steps.sweep(load, label, round, snapshot, alive)) {
                setups.put(r, setup);
            }
        }
    }

    /** 10 s with the agents connected and no command: heartbeats, liveness renewals, consumers polling. */
    private static Idle idle(Setup setup, int round, Supplier<OpenLoop.Snapshot> snapshot) {
        Node.sleep(3_000);
        OpenLoop.Snapshot from = snapshot.get();
        long t0 = System.nanoTime();
        Node.sleep(10_000);
        OpenLoop.Snapshot to = snapshot.get();
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        cores.put("node A", to.node().secondsSince(from.node()) / wall);
        to.others().forEach((name, cpu) -> cores.put(name, cpu.secondsSince(from.others().get(name)) / wall));
        cores.put("agents", to.agents().secondsSince(from.agents()) / wall);
        return new Idle(setup, round, cores);
    }

    private static void awaitPort(int port, ChildJvm process) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() - deadline < 0) {
            process.requireAlive();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return;
            } catch (IOException e) {
                Node.sleep(200);
            }
        }
        throw new IllegalStateException(process.name() + " did not listen on " + port + " within 120 s; end of its log:\n"
                + process.tail(30));
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not delete {}: {}", dir, e.toString());
        }
    }

    /** CPU seconds per process over a step's window: node A, the other nodes, the broker, the agents, this JVM. */
    private static Map<String, Double> cpu(OpenLoop.Step st) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        seconds.put("node A", st.end().node().secondsSince(st.start().node()));
        st.end().others().forEach((name, cpu) -> seconds.put(name, cpu.secondsSince(st.start().others().get(name))));
        seconds.put("agents", st.end().agents().secondsSince(st.start().agents()));
        seconds.put("load generator", st.end().bench().secondsSince(st.start().bench()));
        return seconds;
    }

    private static double nodesSeconds(Map<String, Double> cpu) {
        return cpu.entrySet().stream().filter(e -> e.getKey().startsWith("node ")).mapToDouble(Map.Entry::getValue).sum();
    }

    private String report(String started) {
        StringBuilder s = new StringBuilder();
        s.append(Stats.f("### Cross-node command round trip (run %s)%n%n", started));
        s.append(Stats.f("- machine: %d CPUs, %s; Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("java.runtime.version")));
        s.append(Stats.f("- cluster, fresh every round: Kafka broker process (`%s`), Redis of its own, nodes A, B (and C) each its own JVM "
                        + "(`%s`), client manager standalone, shared `KAFKA_BOOTSTRAP_SERVERS` and `REDIS_URL`; agents: "
                        + "`AgentMain --simulate %,d` connected to A (`%s`); load generator: this JVM%n",
                String.join(" ", brokerJvmOptions), String.join(" ", serverJvmOptions), agents, String.join(" ", agentsJvmOptions)));
        s.append(Stats.f("- request: `POST /api/clients/{id}/commands {\"shell\":\"echo bench\",\"wait\":true}`, agents round robin; "
                + "OK = 200 with the result succeeded and the output `echo bench\\n`; Vert.x HttpClient, keep-alive, up to %d "
                + "connections per node%n", connections));
        s.append(Stats.f("- open loop: request i due at start + i/rate, latency from the due time to the end of the response "
                + "(HdrHistogram); per step %d s warm-up (not recorded) then %d s recorded; a rate passes with p99 ≤ %d ms and no "
                + "error; rates in order until one fails, then up to %d bisection steps%n", steps.warmupSeconds, steps.seconds,
                steps.p99LimitMicros / 1000, steps.refine));
        notes.forEach(n -> s.append("- ").append(n).append('\n'));
        s.append("- CPU from /proc (cores = CPU s / window s; µs per command = CPU s / commands completed in the window)\n\n");

        s.append("| round | set-up | offered /s | completed /s | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | "
                + "node A µs/cmd | node B µs/cmd | node C µs/cmd | all nodes µs/cmd | broker µs/cmd | agents cores | "
                + "load generator cores | steal % | passes |\n");
        s.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Map.Entry<RateSteps.Result, Setup> e : setups.entrySet()) {
            RateSteps.Result r = e.getKey();
            OpenLoop.Step st = r.step();
            Histogram h = st.latencyMicros();
            double w = st.windowSeconds();
            long done = Math.max(1, st.completedInWindow());
            Map<String, Double> cpu = cpu(st);
            s.append(Stats.f("| %d | %d node%s | %,d | %,.0f | %,d | %s | %s | %s | %s | %s | %s | %s | %s | %.0f | %s | %.2f | %.2f | %s | %s |%n",
                    r.round(), e.getValue().nodes, e.getValue().nodes > 1 ? "s" : "", st.rate(), st.completedPerSecond(),
                    st.errors() + st.unsent() + st.unfinished(), RateSteps.ms(h, 50), RateSteps.ms(h, 90), RateSteps.ms(h, 99),
                    RateSteps.ms(h, 99.9), RateSteps.ms(h.getMaxValue()), perCommand(cpu, "node A", done),
                    perCommand(cpu, "node B", done), perCommand(cpu, "node C", done), 1e6 * nodesSeconds(cpu) / done,
                    perCommand(cpu, "broker", done), cpu.get("agents") / w, cpu.get("load generator") / w,
                    RateSteps.pct(st.end().host().stealShare(st.start().host())), steps.verdict(r)));
        }

        s.append("\n| set-up | p50 at ").append(Stats.f("%,d", steps.firstRate())).append("/s, ms | p99 at ")
                .append(Stats.f("%,d", steps.firstRate())).append("/s, ms | target p99 | highest rate with p99 ≤ ")
                .append(steps.p99LimitMicros / 1000).append(" ms, /s | target | all nodes µs per command at ")
                .append(Stats.f("%,d", steps.firstRate())).append("/s | broker µs per command |\n|---|---:|---:|---|---:|---|---:|---:|\n");
        for (Setup setup : Setup.values()) {
            List<RateSteps.Result> of = setups.entrySet().stream().filter(e -> e.getValue() == setup).map(Map.Entry::getKey).toList();
            if (of.isEmpty()) {
                continue;
            }
            List<RateSteps.Result> atFirst = of.stream().filter(r -> r.step().rate() == steps.firstRate()).toList();
            List<Double> p50s = atFirst.stream().map(r -> r.step().latencyMicros().getValueAtPercentile(50) / 1000.0).toList();
            List<Double> p99s = atFirst.stream().map(r -> r.step().latencyMicros().getValueAtPercentile(99) / 1000.0).toList();
            List<Double> nodeCost = atFirst.stream().map(r -> 1e6 * nodesSeconds(cpu(r.step()))
                    / Math.max(1, r.step().completedInWindow())).toList();
            List<Double> brokerCost = atFirst.stream().map(r -> 1e6 * cpu(r.step()).get("broker")
                    / Math.max(1, r.step().completedInWindow())).toList();
            List<Double> best = steps.highestPassing(of);
            boolean clean = atFirst.stream().allMatch(r -> r.step().errors() == 0 && !r.step().saturated());
            s.append(Stats.f("| %s | %s | %s | ≤ %.0f ms: %s | %s | ≥ %,d/s: %s | %s | %s |%n", setup.title, Stats.summary(p50s, "%.2f"),
                    Stats.summary(p99s, "%.2f"), setup.p99TargetMs,
                    clean ? IdleAgentsBenchmark.verdict(p99s, setup.p99TargetMs, true) : "NOT met (errors)",
                    Stats.summary(best, "%,.0f"), setup.rateTarget, IdleAgentsBenchmark.verdict(best, setup.rateTarget, false),
                    Stats.summary(nodeCost, "%.0f"), Stats.summary(brokerCost, "%.0f")));
        }

        s.append("\nIdle cost of each set-up (agents connected, no command, 10 s), cores:\n\n| round | set-up | ");
        List<String> names = List.of("node A", "node B", "node C", "broker", "agents");
        s.append(String.join(" | ", names)).append(" |\n|---:|---|").append("---:|".repeat(names.size())).append('\n');
        for (Idle i : idle) {
            s.append(Stats.f("| %d | %d node%s |", i.round(), i.setup().nodes, i.setup().nodes > 1 ? "s" : ""));
            for (String name : names) {
                Double cores = i.cores().get(name);
                s.append(cores == null ? " – |" : Stats.f(" %.3f |", cores));
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static String perCommand(Map<String, Double> cpu, String process, long commands) {
        Double seconds = cpu.get(process);
        return seconds == null ? "–" : Stats.f("%.0f", 1e6 * seconds / commands);
    }
}
