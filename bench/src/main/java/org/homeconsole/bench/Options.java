package org.homeconsole.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Command-line options of {@link EventBusBenchmark}, as {@code --name=value}.
 *
 * @param events events per throughput case
 * @param rate events per second of the latency cases
 * @param warmup latency warm-up (sent, not recorded)
 * @param measured latency window that is recorded
 * @param rounds how many times every case is repeated (spread on a noisy machine)
 * @param subscribers the subscriber counts of the bus cases
 * @param caseCap the most one throughput case may take
 * @param rawCloudEvents whether to add the diagnostic cases of raw clients carrying a CloudEvents envelope (binary and
 *                       structured mode)
 * @param jitWarmupMax the longest the unreported warm-up passes may go on waiting for the JIT compiler to settle
 * @param linger producer {@code linger.ms} of the bus and of the raw baseline alike; {@code null} keeps the bus's default
 * @param out where the Markdown report is also written; {@code null} for the log only
 */
record Options(int events, int rate, Duration warmup, Duration measured, int rounds, List<Integer> subscribers,
        Duration caseCap, boolean rawCloudEvents, Duration jitWarmupMax, Duration linger, Path out) {

    static final String USAGE = "options: --events=200000 --rate=10000 --warmup-seconds=3 --latency-seconds=10 "
            + "--rounds=3 --subscribers=1,4,16 --case-cap-seconds=120 --jit-warmup-max-seconds=240 --raw-ce=false [--linger-ms=N] [--out=bench/target/event-bus.md]";

    static Options parse(String... args) {
        int events = 200_000;
        int rate = 10_000;
        int warmup = 3;
        int measured = 10;
        int rounds = 3;
        List<Integer> subscribers = List.of(1, 4, 16);
        int cap = 120;
        int jitWarmupMax = 240;
        boolean rawCloudEvents = false;
        Duration linger = null;
        Path out = null;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("'" + arg + "' is not --name=value; " + USAGE);
            }
            String name = arg.substring(2, eq);
            String value = arg.substring(eq + 1);
            switch (name) {
                case "events" -> events = positive(name, value);
                case "rate" -> rate = positive(name, value);
                case "warmup-seconds" -> warmup = Integer.parseInt(value);
                case "latency-seconds" -> measured = positive(name, value);
                case "rounds" -> rounds = positive(name, value);
                case "subscribers" -> subscribers = Arrays.stream(value.split(",")).map(s -> positive(name, s.trim())).toList();
                case "case-cap-seconds" -> cap = positive(name, value);
                case "raw-ce" -> rawCloudEvents = bool(name, value);
                case "jit-warmup-max-seconds" -> jitWarmupMax = notNegative(name, value);
                case "linger-ms" -> linger = Duration.ofMillis(Integer.parseInt(value));
                case "out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option --" + name + "; " + USAGE);
            }
        }
        return new Options(events, rate, Duration.ofSeconds(warmup), Duration.ofSeconds(measured), rounds, subscribers,
                Duration.ofSeconds(cap), rawCloudEvents, Duration.ofSeconds(jitWarmupMax), linger, out);
    }

    private static boolean bool(String name, String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("--" + name + " must be true or false, was " + value);
        }
        return Boolean.parseBoolean(value);
    }

    private static int notNegative(String name, String value) {
        int number = Integer.parseInt(value);
        if (number < 0) {
            throw new IllegalArgumentException("--" + name + " must not be negative, was " + value);
        }
        return number;
    }

    private static int positive(String name, String value) {
        int number = Integer.parseInt(value);
        if (number <= 0) {
            throw new IllegalArgumentException("--" + name + " must be positive, was " + value);
        }
        return number;
    }
}
