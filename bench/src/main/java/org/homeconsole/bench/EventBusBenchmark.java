package org.homeconsole.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.homeconsole.connector.kafka.KafkaEventBusSettings;
import org.homeconsole.connector.kafka.broker.EmbeddedKafkaBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EventBus against plain Kafka clients, side by side in one run on one in-process embedded
 * broker: throughput (as fast as possible until every reader has every event) and latency at a fixed
 * rate (open loop), for the raw clients and for the bus with 1, 4 and 16 subscribers. Every case runs
 * on topics of its own. Options: {@link Options#USAGE}. Prints Markdown tables; asserts nothing.
 */
public final class EventBusBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(EventBusBenchmark.class);
    private static final int WARMUP_EVENTS = 50_000;
    private static final Duration DRAIN_CAP = Duration.ofSeconds(30);
    /** JIT compiler cores over a warm-up pass below which the JIT counts as settled */
    private static final double JIT_SETTLED = 0.05;
    /**
     * Case numbers of the raw clients: the baseline, and the diagnostics with a CloudEvents envelope in binary and in
     * structured mode ({@link RawKafkaPipe.Envelope}); the bus's cases are numbered by their subscriber counts.
     */
    private static final int RAW = 0;
    private static final int RAW_CE = -1;
    private static final int RAW_CE_STRUCTURED = -2;
    /** diagnostic case: the baseline's clients, but the consumer never parses the value (the baseline before 2026-12-03) */
    private static final int RAW_BYTES = -3;
    /** added to a subscriber count: the bus with {@code --bus-variant}'s client properties ({@link Options#MAX_SUBSCRIBERS} is below) */
    static final int VARIANT = 1_000;

    private final Options options;
    private final Path dataDir;
    private final String bootstrap;
    private final Admin admin;
    private final ObjectMapper mapper = JsonMapper.builder().findAndAddModules().build();
    private final String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    private final KafkaEventBusSettings busDefaults;
    private final Duration linger;
    private final Report report = new Report();

    private EventBusBenchmark(Options options, String bootstrap, Admin admin, Path dataDir) {
        this.options = options;
        this.dataDir = dataDir;
        this.bootstrap = bootstrap;
        this.admin = admin;
        this.busDefaults = KafkaEventBusSettings.defaults(bootstrap, "bench");
        this.linger = options.linger() != null ? options.linger() : busDefaults.linger();
    }

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        Path dataDir = Files.createTempDirectory("hc-bench-kafka-");
        // a deleted topic's files go at once (cleanUp waits for it), not 60 s later: Kafka's delay put the
        // deletion of the throughput cases' ~1 GB of logs, and the disk writes behind it, into the first
        // latency round, where every case, raw included, then stalled for up to 100 ms
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(dataDir).port(0)
                        .property("log.segment.delete.delay.ms", "0").build().start();
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            new EventBusBenchmark(options, broker.bootstrapServers(), admin, dataDir).run();
        } finally {
            deleteRecursively(dataDir);
        }
    }

    private void run() throws IOException {
        header();
        warmUp();

        // the baseline runs before and after every other case: each case is compared with the raw runs on either side
        // of it, seconds apart, rather than with one raw run up to a minute away (raw alone moved by ±20 % between
        // rounds as the machine's speed drifted)
        List<Results.Throughput> throughput = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            int raws = 0;
            throughput.add(throughput("tput" + raws++, round, RAW, options.events()));
            for (int pipeCase : cases()) {
                if (pipeCase != RAW) {
                    throughput.add(throughput("tput", round, pipeCase, options.events()));
                    throughput.add(throughput("tput" + raws++, round, RAW, options.events()));
                }
            }
        }
        report.throughput(throughput);
        Set<String> shown = new HashSet<>();
        List<Results.Throughput> lastRound = throughput.stream().filter(r -> r.round() == options.rounds() && shown.add(r.pipe())).toList();
        report.cpu("throughput, round " + options.rounds() + " (the first raw run)", lastRound.stream().map(Results.Throughput::pipe).toList(),
                lastRound.stream().map(Results.Throughput::used).toList(), lastRound.stream().map(Results.Throughput::events).toList());

        // the first open-loop case of a run used half a core more than the same case later (JIT of the
        // paced path, the broker settling after the throughput cases); let an unreported one pay for it
        LOG.info("Warm-up latency case (not reported)");
        latency(0, RAW);
        List<Results.Latency> latency = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            for (int pipeCase : cases()) {
                latency.add(latency(round, pipeCase));
            }
        }
        report.latency(latency, options.rate());
        List<Results.Latency> last = latency.stream().filter(r -> r.round() == options.rounds()).toList();
        report.cpu("latency at " + options.rate() + " events/s, round " + options.rounds(), last.stream().map(Results.Latency::pipe).toList(),
                last.stream().map(Results.Latency::used).toList(), last.stream().map(Results.Latency::measuredEvents).toList());

        String text = report.toString();
        LOG.info("Results\n\n{}", text);
        if (options.out() != null) {
            Files.createDirectories(options.out().toAbsolutePath().getParent());
            Files.writeString(options.out(), text);
            LOG.info("Written to {}", options.out().toAbsolutePath());
        }
    }

    /**
     * JIT-compiles the broker, the clients and the bus before anything counts: passes of every throughput case
     * (not reported) until the JIT compiler threads used less than {@value #JIT_SETTLED} cores over a pass, for
     * at most {@code --jit-warmup-max-seconds} (at least one pass). C2 needs a minute or more of this load on 2
     * cores to compile the broker's and the clients' hot paths; cases measured meanwhile measured the compiler
     * as much as Kafka and the bus, and whichever case ran first in a round paid most.
     */
    private void warmUp() {
        int warmupEvents = Math.max(WARMUP_EVENTS, options.events() / 2);
        long started = System.nanoTime();
        long cap = started + options.jitWarmupMax().toNanos();
        double jitCores;
        int pass = 0;
        do {
            pass++;
            long jitBefore = ResourceMeter.compilerTicks();
            long passStart = System.nanoTime();
            LOG.info("Warm-up pass {}: {} events through every case (not reported)", pass, warmupEvents);
            for (int pipeCase : cases()) {
                throughput("warm" + pass, 0, pipeCase, warmupEvents);
            }
            jitCores = (ResourceMeter.compilerTicks() - jitBefore) * 0.01 / ((System.nanoTime() - passStart) / 1e9);
            LOG.info("Warm-up pass {}: JIT compiler threads used {} cores", pass, String.format("%.2f", jitCores));
        } while (jitCores >= JIT_SETTLED && System.nanoTime() - cap < 0);
        report.line("- warm-up: %d pass(es) of every throughput case with %,d events in %.0f s, until the JIT compiler used "
                + "less than %.2f cores over a pass (last: %.2f%s)", pass, warmupEvents, (System.nanoTime() - started) / 1e9,
                JIT_SETTLED, jitCores, jitCores >= JIT_SETTLED ? ", NOT settled: --jit-warmup-max-seconds reached" : "");
    }

    private Results.Throughput throughput(String kind, int round, int subscribers, int events) {
        String topic = topic(kind, round, subscribers);
        try (Pipe pipe = open(topic, subscribers, () -> new Receiver(-1))) {
            LOG.info("Throughput round {}: {}, {} events on {}", round, pipe.name(), events, topic);
            Results.Throughput result = Measurements.throughput(pipe, round, events, options.caseCap());
            LOG.info("  {} events/s delivered to every reader ({} s), {} acked/s, CPU {} s", (long) result.eventsPerSecond(),
                    String.format("%.2f", result.seconds()), (long) result.ackedPerSecond(),
                    String.format("%.1f", result.used().cpuSeconds()));
            // once per case: the first raw run of round 1, each diagnostic, the first bus case
            boolean sample = subscribers == RAW ? kind.equals("tput0") : subscribers < 0 || subscribers == options.subscribers().get(0)
                    || subscribers == VARIANT + options.subscribers().get(0);
            if (round == 1 && sample) {
                RecordSample.Sizes sizes = RecordSample.of(bootstrap, topic, busDefaults.partitions());
                report.line("- %s: value %.0f bytes, key + value + headers %.0f bytes per record", pipe.name(), sizes.value(), sizes.total());
            }
            return result;
        } finally {
            cleanUp(topic, subscribers);
        }
    }

    /** @param round 0 for the warm-up case */
    private Results.Latency latency(int round, int subscribers) {
        String topic = topic(round == 0 ? "warm-lat" : "lat", round, subscribers);
        long recordFrom = options.warmup().toSeconds() * options.rate();
        try (Pipe pipe = open(topic, subscribers, () -> new Receiver(recordFrom))) {
            LOG.info("Latency round {}: {}, {} events/s for {} s after {} s warm-up, on {}", round, pipe.name(), options.rate(),
                    options.measured().toSeconds(), options.warmup().toSeconds(), topic);
            Results.Latency result = Measurements.latency(pipe, round, options.rate(), options.warmup(), options.measured(), DRAIN_CAP);
            LOG.info("  p50 {} us, p99 {} us, p99.9 {} us, max {} us over {} deliveries; {} missing",
                    result.latencyMicros().getValueAtPercentile(50), result.latencyMicros().getValueAtPercentile(99),
                    result.latencyMicros().getValueAtPercentile(99.9), result.latencyMicros().getMaxValue(),
                    result.latencyMicros().getTotalCount(), result.missing());
            return result;
        } finally {
            cleanUp(topic, subscribers);
        }
    }

    /** The cases of a round in order: raw, the raw CloudEvents diagnostics when asked for, the bus with each subscriber count. */
    private List<Integer> cases() {
        List<Integer> cases = new ArrayList<>();
        cases.add(RAW);
        if (options.rawBytes()) {
            cases.add(RAW_BYTES);
        }
        if (options.rawCloudEvents()) {
            cases.add(RAW_CE);
            cases.add(RAW_CE_STRUCTURED);
        }
        for (int subscribers : options.subscribers()) {
            cases.add(subscribers);
            if (!options.busVariant().isEmpty()) {
                cases.add(VARIANT + subscribers);
            }
        }
        return cases;
    }

    /** @param subscribers {@link #RAW}, {@link #RAW_BYTES}, {@link #RAW_CE} or {@link #RAW_CE_STRUCTURED} for the raw clients, else the bus's subscriber count */
    private Pipe open(String topic, int subscribers, Supplier<Receiver> receivers) {
        if (subscribers <= 0) {
            await(admin.createTopics(List.of(new NewTopic(topic, busDefaults.partitions(), (short) 1))).all());
            RawKafkaPipe.Envelope envelope = subscribers == RAW || subscribers == RAW_BYTES ? RawKafkaPipe.Envelope.NONE
                    : subscribers == RAW_CE ? RawKafkaPipe.Envelope.BINARY : RawKafkaPipe.Envelope.STRUCTURED;
            return new RawKafkaPipe(bootstrap, topic, busDefaults.partitions(), linger, mapper, receivers.get(), envelope,
                    subscribers != RAW_BYTES);
        }
        if (subscribers >= VARIANT) {
            Map<String, Object> client = new HashMap<>(options.busClient());
            client.putAll(options.busVariant());
            return new BusPipe(bootstrap, topic.replace('.', '-'), topic, subscribers - VARIANT, linger, client, receivers, "variant");
        }
        return new BusPipe(bootstrap, topic.replace('.', '-'), topic, subscribers, linger, options.busClient(), receivers, null);
    }

    private String topic(String kind, int round, int subscribers) {
        String pipe = switch (subscribers) {
            case RAW -> "raw";
            case RAW_BYTES -> "rawbytes";
            case RAW_CE -> "rawce";
            case RAW_CE_STRUCTURED -> "rawces";
            default -> subscribers >= VARIANT ? "bus" + (subscribers - VARIANT) + "v" : "bus" + subscribers;
        };
        return "bench." + runId + "." + kind + "." + pipe + ".r" + round;
    }

    /**
     * Deletes the case's topics and waits until their files are gone, so that the broker's disk and caches stay
     * small and no case pays for an earlier one's clean-up; collects garbage between cases.
     */
    private void cleanUp(String topic, int subscribers) {
        await(admin.deleteTopics(subscribers <= 0 ? List.of(topic) : List.of(topic, topic + ".dlq")).all());
        long deadline = System.nanoTime() + DRAIN_CAP.toNanos();
        // partition directories are <topic>-<n>, renamed to <topic>-<n>.<id>-delete until the broker deletes them
        while (hasFilesOf(topic)) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("The files of {} were still there {} s after it was deleted", topic, DRAIN_CAP.toSeconds());
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        System.gc();
    }

    private boolean hasFilesOf(String topic) {
        // <topic>-<n> and <topic>.dlq-<n>, or either renamed to ...-<n>.<id>-delete while the broker deletes it
        Pattern files = Pattern.compile(Pattern.quote(topic) + "(\\.dlq)?-\\d+(\\..+-delete)?");
        try (Stream<Path> entries = Files.list(dataDir)) {
            return entries.anyMatch(entry -> files.matcher(entry.getFileName().toString()).matches());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dataDir, e);
        }
    }

    private void header() {
        report.line("Run %s, %s", runId, OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS))
                .line("")
                .line("- JVM: %s %s (%s), %d available processors, max heap %d MB, GC %s", System.getProperty("java.vm.name"),
                        System.getProperty("java.runtime.version"), System.getProperty("java.vendor"),
                        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                        String.join(" + ", ManagementFactory.getGarbageCollectorMXBeans().stream().map(gc -> gc.getName()).toList()))
                .line("- OS: %s %s %s; %s", System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
                        MachineLoad.idleSetting())
                .line("- options: %d events per throughput case, %,d events/s for %d s after %d s warm-up per latency case, %d round(s), subscribers %s",
                        options.events(), options.rate(), options.measured().toSeconds(), options.warmup().toSeconds(), options.rounds(),
                        options.subscribers())
                .line("- broker: one embedded KRaft broker in this JVM at %s; %d partitions per topic (the bus's default), fresh topics per case",
                        bootstrap, busDefaults.partitions())
                .line("- producers (bus and raw): acks=all, enable.idempotence=true, linger.ms=%d%s; the raw producer has Kafka's defaults "
                        + "otherwise (no compression, 16 KB batches), the bus its own (LZ4, 64 KB batches); consumers: assign() every partition, "
                        + "start at the end; the raw consumer reads each value with ObjectMapper.readTree, a bus subscriber with event.data()",
                        linger.toMillis(), linger.equals(busDefaults.linger()) ? " (the bus's default)" : " (NOT the bus's default of "
                                + busDefaults.linger().toMillis() + ")");
        if (!options.busClient().isEmpty()) {
            report.line("- **the bus NOT as it ships**: extra client properties %s", options.busClient());
        }
        if (!options.busVariant().isEmpty()) {
            report.line("- **A/B**: the cases named `variant` are the bus with the client properties %s on top", options.busVariant());
        }
    }

    private static <T> void await(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            future.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka admin request failed: " + e, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }
}
