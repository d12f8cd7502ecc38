package org.homeconsole.bench.clientmanager;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.homeconsole.agent.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command round trip REST → agent → REST with {@code --agents} agents connected (issue #3). Every round starts a
 * fresh node (its own JVM) and a fresh fleet of simulated agents ({@code AgentMain --simulate}, its own JVM: each
 * command is answered at once with one output chunk and a succeeded result), then drives
 * {@code POST /api/clients/{id}/commands {"wait":true}} open loop ({@link OpenLoop}) at each rate of {@code --rates}
 * in turn: {@code --warmup-seconds} unrecorded, then {@code --seconds} recorded. A rate passes when p99 ≤
 * {@code --p99-limit-ms} with no error; after the first rate that fails, {@code --refine} bisection steps look for the
 * highest passing rate between it and the last that passed (or 0). For every step: latency from the intended send
 * time, the node's CPU by thread group, the agents' and this JVM's CPU, the node's GC and allocation, the machine's
 * load, and second by second for the first rate.
 *
 * <p>Before the steps of a round, load at half the first rate runs until the node's JIT compiler threads are nearly
 * idle (on 2 busy cores C2 needs a minute or more), and the node's cost with no command is taken. After the steps of
 * the last round, one more step runs with a Java Flight Recording of the node ({@link JfrProfile}), not counted.
 */
public final class CommandRoundTripBenchmark {

    static final String USAGE = "options: " + RateSteps.OPTIONS + " --rounds=2 --agents=10000 --connections=256 "
            + "--profile-rate=<half the first rate; 0 = none> "
            + "--root=. --node-classpath=<root>/dist/target/lib/* --server-jvm-options='-Xms1g -Xmx1g -XX:+UseG1GC' "
            + "--agents-jvm-options='-Xms512m -Xmx512m -XX:+UseG1GC' --http-port=18000 --kafka-port=19092 --cm-port=20000 "
            + "--work-dir=<root>/bench/target/client-manager [--out=FILE]";

    private static final Logger LOG = LoggerFactory.getLogger(CommandRoundTripBenchmark.class);
    private static final Duration DRAIN_CAP = Duration.ofSeconds(70);
    private static final int TOP_THREADS = 8;

    private final RateSteps steps;
    private final List<Integer> rates;
    private final int warmupSeconds;
    private final int seconds;
    private final int rounds;
    private final int agents;
    private final int connections;
    private final long p99LimitMicros;
    private final int refine;
    private final int profileRate;
    private final List<String> notes = new ArrayList<>();
    private String profileReport = "";
    private final int maxOutstanding;
    private final List<String> agentsJvmOptions;
    private final Node.Settings nodeSettings;
    private final Path out;
    private final Vertx vertx = Vertx.vertx();

    private CommandRoundTripBenchmark(Args args) {
        Path root = args.path("root", Path.of(".")).toAbsolutePath().normalize();
        steps = new RateSteps(args);
        rates = steps.rates;
        warmupSeconds = steps.warmupSeconds;
        seconds = steps.seconds;
        rounds = args.integer("rounds", 2);
        agents = args.integer("agents", 10_000);
        connections = args.integer("connections", 256);
        p99LimitMicros = steps.p99LimitMicros;
        refine = steps.refine;
        profileRate = args.integer("profile-rate", Math.max(1, rates.get(0) / 2));
        maxOutstanding = steps.maxOutstanding;
        agentsJvmOptions = Arrays.asList(args.string("agents-jvm-options", "-Xms512m -Xmx512m -XX:+UseG1GC").trim().split("\\s+"));
        nodeSettings = new Node.Settings(root, args.string("node-classpath", root.resolve("dist/target/lib") + "/*"),
                Arrays.asList(args.string("server-jvm-options", "-Xms1g -Xmx1g -XX:+UseG1GC").trim().split("\\s+")),
                args.integer("http-port", 18_000), args.integer("kafka-port", 19_092), args.integer("cm-port", 20_000), Map.of(),
                args.path("work-dir", root.resolve("bench/target/client-manager")).toAbsolutePath());
        out = args.path("out", null);
        args.done();
    }

    public static void main(String[] args) throws Exception {
        CommandRoundTripBenchmark benchmark;
        try {
            benchmark = new CommandRoundTripBenchmark(new Args(args, USAGE));
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
        List<RateSteps.Result> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            LOG.info("Round {} of {}", round, rounds);
            results.addAll(round(round));
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

    private List<RateSteps.Result> round(int round) throws Exception {
        List<RateSteps.Result> results = new ArrayList<>();
        try (Node node = Node.start(nodeSettings, "cmd-r" + round)) {
            List<Credentials> credentials = node.issueTokens(agents, "bench-", 64);
            Path tokens = nodeSettings.workDir().resolve("cmd-r" + round + "-tokens.txt");
            Files.write(tokens, credentials.stream().map(c -> c.agentId() + " " + c.token()).toList(), StandardCharsets.UTF_8);
            try (ChildJvm fleet = ChildJvm.start("agents r" + round, agentsJvmOptions, nodeSettings.classpath(),
                    "org.homeconsole.agent.AgentMain", List.of("--url", node.agentUrl().toString(), "--simulate",
                            Integer.toString(agents), "--tokens-file", tokens.toString()), Map.of(), nodeSettings.root(),
                    nodeSettings.workDir().resolve("cmd-r" + round + "-agents.log"));
                    OpenLoop load = new OpenLoop(vertx, "127.0.0.1", nodeSettings.cmPort(), node.adminKey(),
                            credentials.stream().map(Credentials::agentId).toList(), connections)) {
                node.awaitAgents(fleet, agents);
                long nodePid = node.pid();
                long agentsPid = fleet.pid();
                long self = ProcessHandle.current().pid();
                int httpPort = nodeSettings.httpPort();
                Supplier<OpenLoop.Snapshot> snapshot = () -> new OpenLoop.Snapshot(HostLoad.now(),
                        ProcCpu.of(nodePid), ProcCpu.of(agentsPid), ProcCpu.of(self), NodeGc.of(httpPort));
                notes.add(steps.warmUp(load, "Round " + round, List.of(nodePid), snapshot));
                idleBaseline(round, snapshot);
                results.addAll(steps.sweep(load, "Round " + round, round, snapshot, () -> {
                    node.process().requireAlive();
                    fleet.requireAlive();
                }));
                if (round == rounds && profileRate > 0) {
                    profile(load, round, node, snapshot);
                }
                if (fleet.alive() && node.agentsConnected() != agents) {
                    LOG.warn("Round {}: {} agents connected at the end, {} expected", round, node.agentsConnected(), agents);
                }
            } finally {
                Files.deleteIfExists(tokens);
            }
        }
        return results;
    }

    /** What the node spends with the agents connected and no command: heartbeats, sweeps, the bus idling. */
    private void idleBaseline(int round, Supplier<OpenLoop.Snapshot> snapshot) {
        Node.sleep(3_000);
        OpenLoop.Snapshot a = snapshot.get();
        long t0 = System.nanoTime();
        Node.sleep(10_000);
        OpenLoop.Snapshot b = snapshot.get();
        double wall = (System.nanoTime() - t0) / 1e9;
        NodeGc gc = b.gc().since(a.gc());
        notes.add(Stats.f("round %d, no commands for %.0f s (%,d agents heartbeating): node CPU %.2f cores, allocation %s MB/s, GC %s ms",
                round, wall, agents, b.node().secondsSince(a.node()) / wall,
                gc.allocatedBytes() < 0 ? "–" : Stats.f("%.1f", gc.allocatedBytes() / 1e6 / wall), gc.millis() < 0 ? "–" : gc.millis()));
    }

    /**
     * One more step at {@code --profile-rate}, with a Java Flight Recording of the node over its measured window
     * (not counted in the results: JFR costs some CPU), read by {@link JfrProfile}.
     */
    private void profile(OpenLoop load, int round, Node node, Supplier<OpenLoop.Snapshot> snapshot) {
        Path jfr = nodeSettings.workDir().resolve("cmd-r" + round + "-node-" + profileRate + ".jfr");
        LOG.info("Round {}: profiling step at {}/s with JFR on the node -> {}", round, profileRate, jfr);
        // JFR loads and compiles code of its own when it starts: let that happen before the profiled step
        JvmTools.jcmd(node.pid(), "JFR.start name=bench-profile settings=profile");
        load.run(Math.max(1, profileRate / 2), Duration.ZERO, Duration.ofSeconds(30), maxOutstanding, DRAIN_CAP, snapshot);
        Node.sleep(2_000);
        java.time.Instant from = java.time.Instant.now().plusMillis(50 + warmupSeconds * 1000L);
        RateSteps.Result r = steps.step(load, "Round " + round, round, profileRate, snapshot, false);
        java.time.Instant to = from.plusSeconds(seconds);
        JvmTools.jcmd(node.pid(), "JFR.stop name=bench-profile filename=" + jfr);
        JfrProfile.Result p = JfrProfile.analyze(jfr, from, to);
        OpenLoop.Step st = r.step();
        double w = st.windowSeconds();
        ProcCpu end = st.end().node();
        ProcCpu begin = st.start().node();
        Map<String, Double> groups = end.groupsSince(begin);
        double nodeSeconds = end.secondsSince(begin);
        double jit = RateSteps.compilerSeconds(groups);
        double gc = RateSteps.gcSeconds(groups);
        double javaSeconds = Math.max(0, nodeSeconds - jit - gc);
        long commands = Math.max(1, st.completedInWindow());
        StringBuilder s = new StringBuilder();
        s.append(Stats.f("%n#### Where the node's time goes at %,d commands/s (round %d, an extra step with JFR on, not counted above)%n%n",
                profileRate, round));
        s.append(Stats.f("- this step: p50 %s ms, p99 %s ms, %,.0f completed/s, %d errors; node CPU %.2f cores = %.0f µs per command: "
                        + "JIT compiler threads %.2f, GC and VM threads %.2f, Java threads %.2f cores%n", RateSteps.ms(st.latencyMicros(), 50),
                RateSteps.ms(st.latencyMicros(), 99), st.completedPerSecond(), st.errors(), nodeSeconds / w, 1e6 * nodeSeconds / commands,
                jit / w, gc / w, javaSeconds / w));
        Map.Entry<String, Double> busiest = end.threadsSince(begin).entrySet().stream().findFirst().orElse(Map.entry("?", 0.0));
        s.append(Stats.f("- busiest single thread of the node: `%s`, %.2f cores%n", busiest.getKey(), busiest.getValue() / w));
        s.append(Stats.f("- REST worker threads parked in `ClientManagerApi.submit` waiting for the agent's result: %.1f on average over "
                        + "the window (the node has %d `vert.x-worker-thread`s; parks ≥ 10 ms only)%n",
                p.blockedInSubmit().toNanos() / 1e9 / seconds, end.countThreads("vert.x-worker-t")));
        s.append(Stats.f("- %,d execution samples of Java threads; each is put in the first component whose rule matches, top to bottom "
                + "(`JfrProfile`); cores and µs per command = share × the Java threads' CPU from /proc%n%n", p.total()));
        s.append(JfrProfile.table(p, javaSeconds, w, commands, "command"));
        s.append(Stats.f("| *JIT compiler threads (/proc)* | | %.2f | %.0f |%n", jit / w, 1e6 * jit / commands));
        s.append(Stats.f("| *GC and VM threads (/proc)* | | %.2f | %.0f |%n", gc / w, 1e6 * gc / commands));
        s.append("\nExecution samples by thread: ").append(JfrProfile.threads(p, 8)).append('\n');
        NodeGc collections = st.end().gc().since(st.start().gc());
        s.append(Stats.f("%nAllocation in the node over the same window (JFR `ObjectAllocationSample`, weighted); node GC meanwhile: "
                + "%s ms in %s collections%n%n", collections.millis() < 0 ? "–" : collections.millis(),
                collections.count() < 0 ? "–" : collections.count()));
        s.append(JfrProfile.allocationTable(p, collections.allocatedBytes(), w, commands, "command"));
        profileReport = s.toString();
    }

    private String report(String started, List<RateSteps.Result> results) {
        StringBuilder s = new StringBuilder();
        s.append(Stats.f("### Command round trip REST → agent → REST (run %s)%n%n", started));
        s.append(Stats.f("- machine: %d CPUs, %s; Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("java.runtime.version")));
        s.append(Stats.f("- node: its own JVM (`%s`), fresh for every round, client manager standalone on 127.0.0.1:%d; "
                + "agents: `AgentMain --simulate %,d`, its own JVM (`%s`); load generator: this JVM%n",
                String.join(" ", nodeSettings.jvmOptions()), nodeSettings.cmPort(), agents, String.join(" ", agentsJvmOptions)));
        s.append(Stats.f("- request: `POST /api/clients/{id}/commands {\"shell\":\"echo bench\",\"wait\":true}`, agents round robin; "
                + "OK = 200 with the result succeeded and the output `echo bench\\n`; Vert.x HttpClient, keep-alive, up to %d connections%n",
                connections));
        s.append(Stats.f("- open loop: request i due at start + i/rate, latency from the due time to the end of the response "
                + "(HdrHistogram); per step %d s warm-up (not recorded) then %d s recorded, 2 s pause between steps%n", warmupSeconds, seconds));
        notes.forEach(n -> s.append("- ").append(n).append('\n'));
        s.append(Stats.f("- a rate passes with p99 ≤ %d ms and no error; rates tried in order until one fails, then up to %d bisection step(s) between the last that passed (or 0) and it%n",
                p99LimitMicros / 1000, refine));
        s.append("- CPU from /proc (cores = CPU s / window s); node GC through its Jolokia; steal and other = the rest of the machine\n\n");

        s.append("| round | offered /s | completed /s | requests | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | "
                + "sender late p99 ms | node CPU cores | node CPU µs per command | agents CPU cores | load generator CPU cores | "
                + "node GC ms (count) | node allocation KB per command | steal % | other processes cores | passes |\n");
        s.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (RateSteps.Result r : results) {
            OpenLoop.Step st = r.step();
            Histogram h = st.latencyMicros();
            double w = st.windowSeconds();
            NodeGc gc = st.end().gc().since(st.start().gc());
            double node = st.end().node().secondsSince(st.start().node());
            double agentsCpu = st.end().agents().secondsSince(st.start().agents());
            double bench = st.end().bench().secondsSince(st.start().bench());
            double busy = st.end().host().busySeconds(st.start().host());
            long done = Math.max(1, st.completedInWindow());
            s.append(Stats.f("| %d | %,d | %,.0f | %,d | %,d | %s | %s | %s | %s | %s | %s | %.2f | %.0f | %.2f | %.2f | %s | %s | %s | %s | %s |%n",
                    r.round(), st.rate(), st.completedPerSecond(), st.sent(), st.errors() + st.unsent() + st.unfinished(),
                    RateSteps.ms(h, 50), RateSteps.ms(h, 90), RateSteps.ms(h, 99), RateSteps.ms(h, 99.9), RateSteps.ms(h.getMaxValue()), RateSteps.ms(st.senderLateMicros(), 99), node / w,
                    1e6 * node / done, agentsCpu / w, bench / w, gc.millis() < 0 ? "–" : gc.millis() + " (" + gc.count() + ")",
                    gc.allocatedBytes() < 0 ? "–" : Stats.f("%.0f", gc.allocatedBytes() / 1024.0 / done),
                    RateSteps.pct(st.end().host().stealShare(st.start().host())),
                    busy < 0 ? "–" : Stats.f("%.2f", Math.max(0, busy - node - agentsCpu - bench) / w),
                    r.passed(p99LimitMicros) ? "yes" : "NO" + (st.saturated() ? " (saturated)" : "")
                            + (st.errors() > 0 ? " (errors: " + st.firstError() + ")" : "")));
        }

        // summary over rounds
        int firstRate = rates.get(0);
        List<RateSteps.Result> atFirst = results.stream().filter(r -> r.step().rate() == firstRate).toList();
        List<Double> p50s = atFirst.stream().map(r -> r.step().latencyMicros().getValueAtPercentile(50) / 1000.0).toList();
        List<Double> p99s = atFirst.stream().map(r -> r.step().latencyMicros().getValueAtPercentile(99) / 1000.0).toList();
        boolean firstClean = atFirst.stream().allMatch(r -> r.step().errors() == 0 && !r.step().saturated());
        Map<Integer, Double> highest = new TreeMap<>();
        for (RateSteps.Result r : results) {
            if (r.passed(p99LimitMicros)) {
                highest.merge(r.round(), (double) r.step().rate(), Math::max);
            } else {
                highest.putIfAbsent(r.round(), 0.0);
            }
        }
        List<Double> best = new ArrayList<>(highest.values());
        s.append(Stats.f("%n| figure, %d rounds | median (min – max) | target | met? |%n|---|---:|---|---|%n", atFirst.size()));
        s.append(Stats.f("| p50 at %,d commands/s, ms | %s | | |%n", firstRate, Stats.summary(p50s, "%.2f")));
        s.append(Stats.f("| p99 at %,d commands/s, ms | %s | ≤ 10 ms | %s |%n", firstRate, Stats.summary(p99s, "%.2f"),
                firstClean ? IdleAgentsBenchmark.verdict(p99s, 10.0, true) : "NOT met (errors)"));
        s.append(Stats.f("| highest rate with p99 ≤ %d ms and no error, commands/s | %s | ≥ 5,000/s | %s |%n", p99LimitMicros / 1000,
                Stats.summary(best, "%,.0f"), IdleAgentsBenchmark.verdict(best, 5_000, false)));

        // where the node's CPU goes, per command, at the first rate and at the highest rate of the last round
        int lastRound = results.stream().mapToInt(RateSteps.Result::round).max().orElse(0);
        List<RateSteps.Result> last = results.stream().filter(r -> r.round() == lastRound).toList();
        List<RateSteps.Result> shown = new ArrayList<>();
        last.stream().filter(r -> r.step().rate() == firstRate).findFirst().ifPresent(shown::add);
        last.stream().filter(r -> r.passed(p99LimitMicros)).reduce((a, b) -> a.step().rate() >= b.step().rate() ? a : b)
                .filter(r -> !shown.contains(r)).ifPresent(shown::add);
        last.stream().filter(r -> !r.passed(p99LimitMicros)).findFirst().filter(r -> !shown.contains(r)).ifPresent(shown::add);
        for (RateSteps.Result r : shown) {
            OpenLoop.Step st = r.step();
            Map<String, Double> groups = st.end().node().groupsSince(st.start().node());
            double nodeSeconds = st.end().node().secondsSince(st.start().node());
            long commands = Math.max(1, st.completedInWindow());
            s.append(Stats.f("%n#### Node CPU by thread, round %d at %,d commands/s (%s): %.0f µs of node CPU per command, "
                            + "%.2f cores%n%n| thread group | cores | µs per command |%n|---|---:|---:|%n", r.round(), st.rate(),
                    r.passed(p99LimitMicros) ? "passes" : "fails", 1e6 * nodeSeconds / commands, nodeSeconds / st.windowSeconds()));
            double listed = 0;
            int i = 0;
            for (Map.Entry<String, Double> g : groups.entrySet()) {
                if (i++ >= TOP_THREADS) {
                    break;
                }
                listed += g.getValue();
                s.append(Stats.f("| `%s` | %.2f | %.0f |%n", g.getKey(), g.getValue() / st.windowSeconds(), 1e6 * g.getValue() / commands));
            }
            s.append(Stats.f("| (all other threads) | %.2f | %.0f |%n", Math.max(0, nodeSeconds - listed) / st.windowSeconds(),
                    1e6 * Math.max(0, nodeSeconds - listed) / commands));
        }
        for (RateSteps.Result r : atFirst) {
            s.append(timeline(r));
        }
        s.append(profileReport);
        return s.toString();
    }

    /**
     * Second by second through a step's window: latency of the requests due in that second, and who used the CPU
     * meanwhile, to tell a stall of the node (GC, its own threads) from the machine being taken by other work.
     */
    private static String timeline(RateSteps.Result r) {
        OpenLoop.Step st = r.step();
        List<OpenLoop.Snapshot> t = st.timeline();
        StringBuilder s = new StringBuilder();
        s.append(Stats.f("%n#### Second by second, round %d at %,d commands/s%n%n", r.round(), st.rate()));
        s.append("| second | requests | p50 ms | p99 ms | max ms | node CPU cores | agents cores | load generator cores | "
                + "other processes cores | steal % | node GC ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < st.perSecond().length; i++) {
            Histogram h = st.perSecond()[i];
            String cpu = "| – | – | – | – | – |";
            if (i + 1 < t.size()) {
                OpenLoop.Snapshot a = t.get(i);
                OpenLoop.Snapshot b = t.get(i + 1);
                double wall = 1.0;
                double node = b.node().secondsSince(a.node());
                double agentsCpu = b.agents().secondsSince(a.agents());
                double bench = b.bench().secondsSince(a.bench());
                double busy = b.host().busySeconds(a.host());
                NodeGc gc = b.gc().since(a.gc());
                cpu = Stats.f("| %.2f | %.2f | %.2f | %s | %s | %s |", node / wall, agentsCpu / wall, bench / wall,
                        busy < 0 ? "–" : Stats.f("%.2f", Math.max(0, busy - node - agentsCpu - bench) / wall),
                        RateSteps.pct(b.host().stealShare(a.host())), gc.millis() < 0 ? "–" : gc.millis() + (gc.count() > 0 ? " (" + gc.count() + ")" : ""));
            }
            s.append(Stats.f("| %d | %,d | %s | %s | %s %s%n", i + 1, h.getTotalCount(), RateSteps.ms(h, 50), RateSteps.ms(h, 99), RateSteps.ms(h.getMaxValue()), cpu));
        }
        return s.toString();
    }
}
