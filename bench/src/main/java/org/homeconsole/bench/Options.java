package org.homeconsole.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * @param rawBytes whether to add the diagnostic case of the baseline's clients with a consumer that takes its two numbers
 *                 out of the value's bytes instead of parsing it
 * @param jitWarmupMax the longest the unreported warm-up passes may go on waiting for the JIT compiler to settle
 * @param linger producer {@code linger.ms} of the bus and of the raw baseline alike; {@code null} keeps the bus's default
 * @param busClient Kafka client properties given to the bus only (its settings' {@code clientProperties}), to try a
 *     tuning against the same baseline; empty for the bus as it ships
 * @param busVariant Kafka client properties of an A/B variant: when not empty, each bus case also runs with these on top
 *     of {@code busClient}, in the same JVM and round, between raw runs of its own; same JIT and machine, unlike
 *     two runs with different {@code --bus-client}s
 * @param out where the Markdown report is also written; {@code null} for the log only
 */
record Options(int events, int rate, Duration warmup, Duration measured, int rounds, List<Integer> subscribers,
        Duration caseCap, boolean rawCloudEvents, boolean rawBytes, Duration jitWarmupMax, Duration linger, Map<String, Object> busClient,
        Map<String, Object> busVariant, Path out) {

    /** the most subscribers of one bus case: a case number above it is a {@code --bus-variant} case */
    static final int MAX_SUBSCRIBERS = EventBusBenchmark.VARIANT - 1;

    static final String USAGE = "options: --events=600000 --rate=10000 --warmup-seconds=3 --latency-seconds=10 "
            + "--rounds=5 --subscribers=1,4,16 --case-cap-seconds=120 --jit-warmup-max-seconds=240 --raw-ce=false --raw-bytes=false [--linger-ms=N] "
            + "[--bus-client=name=value,name=value] [--bus-variant=name=value,name=value] [--out=bench/target/event-bus.md]";

    static Options parse(String... args) {
        int events = 600_000;
        int rate = 10_000;
        int warmup = 3;
        int measured = 10;
        int rounds = 5;
        List<Integer> subscribers = List.of(1, 4, 16);
        int cap = 120;
        int jitWarmupMax = 240;
        boolean rawCloudEvents = false;
        boolean rawBytes = false;
        Duration linger = null;
        Map<String, Object> busClient = Map.of();
        Map<String, Object> busVariant = Map.of();
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
                case "subscribers" -> subscribers = Arrays.stream(value.split(",")).map(s -> subscribers(name, s.trim())).toList();
                case "case-cap-seconds" -> cap = positive(name, value);
                case "raw-ce" -> rawCloudEvents = bool(name, value);
                case "raw-bytes" -> rawBytes = bool(name, value);
                case "jit-warmup-max-seconds" -> jitWarmupMax = notNegative(name, value);
                case "linger-ms" -> linger = Duration.ofMillis(Integer.parseInt(value));
                case "bus-client" -> busClient = properties(name, value);
                case "bus-variant" -> busVariant = properties(name, value);
                case "out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option --" + name + "; " + USAGE);
            }
        }
        return new Options(events, rate, Duration.ofSeconds(warmup), Duration.ofSeconds(measured), rounds, subscribers,
                Duration.ofSeconds(cap), rawCloudEvents, rawBytes, Duration.ofSeconds(jitWarmupMax), linger, busClient,
                busVariant, out);
    }

    /** {@code name=value,name=value} as client properties (Kafka parses the values by the property's type). */
    private static Map<String, Object> properties(String name, String value) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (String pair : value.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--" + name + " takes name=value pairs separated by commas, was " + value);
            }
            properties.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return Map.copyOf(properties);
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

    private static int subscribers(String name, String value) {
        int number = positive(name, value);
        if (number > MAX_SUBSCRIBERS) {
            throw new IllegalArgumentException("--" + name + " takes at most " + MAX_SUBSCRIBERS + " subscribers per case, was " + value);
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
