package org.homeconsole.bench.clientmanager;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the command benchmarks step an {@link OpenLoop} through rates: a JIT warm-up, then each rate of {@code --rates}
 * in turn ({@code --warmup-seconds} unrecorded, {@code --seconds} recorded) until one fails, then {@code --refine}
 * bisection steps between the last rate that passed (or 0) and the first that failed. A rate passes when p99 ≤
 * {@code --p99-limit-ms} with no error and the load generator never had to stop sending.
 */
final class RateSteps {

    static final String OPTIONS = "--rates=1000,2000,3000,5000,7000,10000 --warmup-seconds=5 --seconds=15 --p99-limit-ms=50 "
            + "--refine=3 --jit-warmup-seconds=30 --jit-warmup-max-seconds=300 --max-outstanding=20000";

    private static final Logger LOG = LoggerFactory.getLogger(RateSteps.class);
    private static final Duration DRAIN_CAP = Duration.ofSeconds(70);

    /** One recorded step, under a label that says which round and set-up it belongs to. */
    record Result(String label, int round, OpenLoop.Step step) {
        boolean passed(long limitMicros) {
            return !step.saturated() && step.errors() == 0 && step.unfinished() == 0 && step.sent() > 0
                    && step.latencyMicros().getValueAtPercentile(99) <= limitMicros;
        }
    }

    final List<Integer> rates;
    final int warmupSeconds;
    final int seconds;
    final long p99LimitMicros;
    final int refine;
    final int jitWarmupSeconds;
    final int jitWarmupMaxSeconds;
    final int maxOutstanding;

    RateSteps(Args args) {
        rates = args.integers("rates", List.of(1_000, 2_000, 3_000, 5_000, 7_000, 10_000));
        warmupSeconds = args.integer("warmup-seconds", 5);
        seconds = args.integer("seconds", 15);
        p99LimitMicros = args.integer("p99-limit-ms", 50) * 1000L;
        refine = args.integer("refine", 3);
        jitWarmupSeconds = args.integer("jit-warmup-seconds", 30);
        jitWarmupMaxSeconds = args.integer("jit-warmup-max-seconds", 300);
        maxOutstanding = args.integer("max-outstanding", 20_000);
    }

    int firstRate() {
        return rates.get(0);
    }

    /**
     * Runs at half the first rate, 10 s at a time, until the JIT compiler threads of every process in {@code pids}
     * are nearly idle (below 0.05 cores together over the last 10 s) and at least {@code --jit-warmup-seconds} have
     * passed, or for {@code --jit-warmup-max-seconds} at most: on a busy 2-core machine C2 takes minutes to catch up,
     * and a step measured meanwhile measures the compiler.
     *
     * @return a line for the report saying how long it took
     */
    String warmUp(OpenLoop load, String label, List<Long> pids, Supplier<OpenLoop.Snapshot> snapshot) {
        int rate = Math.max(1, firstRate() / 2);
        LOG.info("{}: warm-up at {}/s until the JIT settles ({} to {} s, not reported)", label, rate, jitWarmupSeconds,
                jitWarmupMaxSeconds);
        long started = System.nanoTime();
        double jit;
        double elapsed;
        do {
            List<ProcCpu> before = pids.stream().map(ProcCpu::of).toList();
            long t0 = System.nanoTime();
            OpenLoop.Step chunk = load.run(rate, Duration.ZERO, Duration.ofSeconds(10), maxOutstanding, DRAIN_CAP, snapshot);
            double wall = (System.nanoTime() - t0) / 1e9;
            jit = 0;
            for (int i = 0; i < pids.size(); i++) {
                jit += compilerSeconds(ProcCpu.of(pids.get(i)).groupsSince(before.get(i))) / wall;
            }
            elapsed = (System.nanoTime() - started) / 1e9;
            LOG.info("  warm-up {} s: JIT compiler threads {} cores; p99 {} ms, {} errors", Stats.f("%.0f", elapsed),
                    Stats.f("%.2f", jit), ms(chunk.latencyMicros(), 99), chunk.errors());
        } while ((elapsed < jitWarmupSeconds || jit >= 0.05) && elapsed < jitWarmupMaxSeconds);
        return Stats.f("%s: warm-up at %,d/s for %.0f s; JIT compiler threads used %.2f cores in its last 10 s%s", label, rate,
                elapsed, jit, jit >= 0.05 ? " (had not settled: the cap was reached)" : "");
    }

    /**
     * The rates in turn until one fails, then the bisection steps; {@code between} runs after every passing step of
     * the list (e.g. to check that the processes are still alive).
     */
    List<Result> sweep(OpenLoop load, String label, int round, Supplier<OpenLoop.Snapshot> snapshot, Runnable between) {
        List<Result> results = new ArrayList<>();
        int lastPass = 0;
        int firstFail = -1;
        for (int rate : rates) {
            Result r = step(load, label, round, rate, snapshot, true);
            results.add(r);
            if (r.passed(p99LimitMicros)) {
                lastPass = rate;
            } else {
                firstFail = rate;
                break;
            }
            between.run();
        }
        for (int i = 0; i < refine && firstFail > 0; i++) {
            int grain = firstFail - lastPass > 1_000 ? 250 : 50;
            int rate = (int) (Math.round((lastPass + firstFail) / 2.0 / grain) * grain);
            if (rate <= lastPass || rate >= firstFail) {
                break;
            }
            Result r = step(load, label, round, rate, snapshot, true);
            results.add(r);
            if (r.passed(p99LimitMicros)) {
                lastPass = rate;
            } else {
                firstFail = rate;
            }
        }
        return results;
    }

    /** One step at {@code rate}, then a 2 s pause so that its backlog does not spill into the next one. */
    Result step(OpenLoop load, String label, int round, int rate, Supplier<OpenLoop.Snapshot> snapshot, boolean log) {
        if (log) {
            LOG.info("{}: {} commands/s, {} s warm-up + {} s recorded", label, rate, warmupSeconds, seconds);
        }
        OpenLoop.Step step = load.run(rate, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(seconds), maxOutstanding,
                DRAIN_CAP, snapshot);
        Histogram h = step.latencyMicros();
        LOG.info("  {}/s: {} sent, {} ok, {} errors{}; p50 {} ms, p99 {} ms, max {} ms; completed {}/s; node CPU {} cores{}",
                rate, step.sent(), step.ok(), step.errors(), step.firstError() == null ? "" : " (first: " + step.firstError() + ")",
                ms(h, 50), ms(h, 99), ms(h.getMaxValue()), Stats.f("%.0f", step.completedPerSecond()),
                Stats.f("%.2f", step.end().node().secondsSince(step.start().node()) / step.windowSeconds()),
                step.saturated() ? "; SATURATED: stopped sending with " + maxOutstanding + " unanswered" : "");
        Node.sleep(2_000);
        return new Result(label, round, step);
    }

    /** "yes", or "NO" with why. */
    String verdict(Result r) {
        OpenLoop.Step st = r.step();
        return r.passed(p99LimitMicros) ? "yes" : "NO" + (st.saturated() ? " (saturated)" : "")
                + (st.errors() > 0 ? " (errors: " + st.firstError() + ")" : "");
    }

    /** The highest passing rate of each round, 0 for a round where none passed. */
    List<Double> highestPassing(List<Result> results) {
        Map<Integer, Double> highest = new java.util.TreeMap<>();
        for (Result r : results) {
            if (r.passed(p99LimitMicros)) {
                highest.merge(r.round(), (double) r.step().rate(), Math::max);
            } else {
                highest.putIfAbsent(r.round(), 0.0);
            }
        }
        return new ArrayList<>(highest.values());
    }

    static double compilerSeconds(Map<String, Double> groups) {
        return groups.entrySet().stream().filter(e -> e.getKey().startsWith("C# Compiler")).mapToDouble(Map.Entry::getValue).sum();
    }

    static double gcSeconds(Map<String, Double> groups) {
        return groups.entrySet().stream().filter(e -> e.getKey().startsWith("GC Thread") || e.getKey().startsWith("G# ")
                || e.getKey().equals("VM Thread")).mapToDouble(Map.Entry::getValue).sum();
    }

    static String ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "–" : ms(h.getValueAtPercentile(percentile));
    }

    static String ms(long micros) {
        return Stats.f(micros < 10_000 ? "%.2f" : micros < 1_000_000 ? "%.1f" : "%.0f", micros / 1000.0);
    }

    static String pct(double share) {
        return share < 0 ? "–" : Stats.f("%.0f", 100 * share);
    }
}
