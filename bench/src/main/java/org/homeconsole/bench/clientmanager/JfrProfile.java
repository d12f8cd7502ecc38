package org.homeconsole.bench.clientmanager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the node's time goes during a load step, from a Java Flight Recording of the node ({@code jcmd <pid>
 * JFR.start settings=profile}): every execution sample (a Java thread running Java code) is put in the first
 * component of {@link #COMPONENTS} whose rule its thread or stack matches, in that order, so that e.g. a JSON
 * Schema validation called from the agent socket handler counts as validation, not as socket handling. JIT and
 * GC threads are not Java threads and are not sampled: their CPU comes from /proc.
 *
 * <p>Also: how long the REST worker threads spent parked in {@code ClientManagerApi.submit} waiting for the agent's
 * result ({@code jdk.ThreadPark} events, which JFR's profile settings record from 10 ms), as an average number of
 * threads blocked.
 */
final class JfrProfile {

    private record Component(String name, BiPredicate<String, List<String>> rule) {
    }

    private static final List<Component> COMPONENTS = List.of(
            new Component("agent messages: JSON Schema validation (`ProtocolValidator.validate`)",
                    (thread, frames) -> any(frames, "org.homeconsole.clientmanager.protocol.ProtocolValidator.validate")),
            new Component("event bus: deep copy of the event data (`TrackingContext$1.publish` → `ObjectMapper.valueToTree`)",
                    (thread, frames) -> any(frames, "org.homeconsole.runtime.plugins.TrackingContext$1.publish")
                            && any(frames, "com.fasterxml.jackson.databind.ObjectMapper.valueToTree")),
            new Component("event bus: publish (`KafkaEventBus.publish`: CloudEvent encoding, `KafkaProducer.send`)",
                    (thread, frames) -> any(frames, "org.homeconsole.connector.kafka.KafkaEventBus.publish")),
            new Component("event bus: consumer poll and dispatch to the node's subscribers (`hc-events-consumer`)",
                    (thread, frames) -> thread.startsWith("hc-events-consumer") || thread.startsWith("hc-rpc-consumer")),
            new Component("Kafka producer I/O thread", (thread, frames) -> thread.startsWith("kafka-producer-network-thread")),
            new Component("embedded Kafka broker (request handlers, network, raft)",
                    (thread, frames) -> thread.contains("kafka") || thread.contains("raft") || thread.startsWith("quorum-controller")
                            || prefix(frames, "kafka.")),
            new Component("agent upgrade: token check (`AgentTokens`)",
                    (thread, frames) -> prefix(frames, "org.homeconsole.clientmanager.AgentTokens")),
            new Component("connection registry (`ConnectionRegistry`)",
                    (thread, frames) -> prefix(frames, "org.homeconsole.clientmanager.registry.")),
            new Component("jobs written behind to Storage (`WriteBehind.flush` → SQLite)",
                    (thread, frames) -> prefix(frames, "org.homeconsole.clientmanager.WriteBehind")
                            || prefix(frames, "org.homeconsole.connector.jdbc.")),
            new Component("Camel metrics (micrometer exchange notifier, route policy)",
                    (thread, frames) -> prefix(frames, "org.apache.camel.component.micrometer.")),
            new Component("job bookkeeping (`JobManager`, `Job.toJson`, `CommandRun`)",
                    (thread, frames) -> prefix(frames, "org.homeconsole.clientmanager.jobs.")),
            new Component("agent messages: JSON parsing and handling (`AgentGateway`)",
                    (thread, frames) -> prefix(frames, "org.homeconsole.clientmanager.sockets.")),
            new Component("REST: Camel route, bean call, platform-http binding, `ClientManagerApi`",
                    (thread, frames) -> prefix(frames, "org.apache.camel.") || prefix(frames, "org.homeconsole.clientmanager.")),
            new Component("HTTP and WebSocket I/O (Vert.x, Netty)",
                    (thread, frames) -> prefix(frames, "io.vertx.") || prefix(frames, "io.netty.")),
            new Component("other", (thread, frames) -> true));

    /** Samples per component in {@link #COMPONENTS} order, and the REST threads' time blocked in submit. */
    /**
     * @param allocatedBytes allocation samples' weights per component (their shares are what counts)
     * @param threadAllocated bytes the Java threads allocated over the window, from {@code jdk.ThreadAllocationStatistics}
     *                        (exact counters, unlike the samples' weights)
     */
    record Result(Map<String, Long> samples, long total, Duration blockedInSubmit, Map<String, Long> byThread,
            Map<String, Long> allocatedBytes, long allocatedTotal, long threadAllocated) {
    }

    private JfrProfile() {
    }

    static Result analyze(Path recording) {
        return analyze(recording, java.time.Instant.MIN, java.time.Instant.MAX);
    }

    /** Only the events that started between {@code from} and {@code to}. */
    static Result analyze(Path recording, java.time.Instant from, java.time.Instant to) {
        Map<String, Long> samples = new LinkedHashMap<>();
        COMPONENTS.forEach(c -> samples.put(c.name(), 0L));
        Map<String, Long> byThread = new LinkedHashMap<>();
        Map<String, Long> allocated = new LinkedHashMap<>();
        COMPONENTS.forEach(c -> allocated.put(c.name(), 0L));
        long allocatedTotal = 0;
        Map<Long, long[]> perThread = new java.util.HashMap<>();
        long total = 0;
        Duration blocked = Duration.ZERO;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
                    continue;
                }
                String type = event.getEventType().getName();
                if (type.equals("jdk.ExecutionSample")) {
                    String thread = event.getThread("sampledThread") == null ? "?" : event.getThread("sampledThread").getJavaName();
                    List<String> frames = frames(event);
                    for (Component c : COMPONENTS) {
                        if (c.rule().test(thread == null ? "?" : thread, frames)) {
                            samples.merge(c.name(), 1L, Long::sum);
                            break;
                        }
                    }
                    byThread.merge(ProcCpu.group(thread == null ? "?" : thread), 1L, Long::sum);
                    total++;
                } else if (type.equals("jdk.ObjectAllocationSample")) {
                    String thread = event.getThread("eventThread") == null ? "?" : event.getThread("eventThread").getJavaName();
                    List<String> frames = frames(event);
                    long weight = event.getLong("weight");
                    for (Component c : COMPONENTS) {
                        if (c.rule().test(thread == null ? "?" : thread, frames)) {
                            allocated.merge(c.name(), weight, Long::sum);
                            break;
                        }
                    }
                    allocatedTotal += weight;
                } else if (type.equals("jdk.ThreadAllocationStatistics") && event.getThread("thread") != null) {
                    long allocatedNow = event.getLong("allocated");
                    perThread.merge(event.getThread("thread").getId(), new long[] {allocatedNow, allocatedNow},
                            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                } else if (type.equals("jdk.ThreadPark") && any(frames(event), "org.homeconsole.clientmanager.ClientManagerApi.submit")) {
                    blocked = blocked.plus(event.getDuration());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + recording, e);
        }
        long threadAllocated = perThread.values().stream().mapToLong(v -> v[1] - v[0]).sum();
        return new Result(samples, total, blocked, byThread, allocated, allocatedTotal, threadAllocated);
    }

    /**
     * The Markdown table of a profile: share of samples per component, and what that share is of the Java threads'
     * CPU ({@code javaCpuSeconds}, from /proc) in cores and per unit of work.
     */
    static String table(Result p, double javaCpuSeconds, double windowSeconds, long units, String unit) {
        StringBuilder s = new StringBuilder();
        s.append(Stats.f("| component | share of samples | ≈ cores | ≈ µs per %s |%n|---|---:|---:|---:|%n", unit));
        p.samples().forEach((name, n) -> {
            if (n > 0) {
                double share = (double) n / Math.max(1, p.total());
                s.append(Stats.f("| %s | %.1f %% | %.2f | %.0f |%n", name, 100 * share, share * javaCpuSeconds / windowSeconds,
                        1e6 * share * javaCpuSeconds / Math.max(1, units)));
            }
        });
        return s.toString();
    }

    /**
     * Allocation by component: the shares of JFR's weighted allocation samples, applied to what the node's threads
     * allocated in all over the window ({@code allocatedBytes}, exact; when unknown, JFR's per-thread counters),
     * per second and per unit of work.
     */
    static String allocationTable(Result p, long allocatedBytes, double windowSeconds, long units, String unit) {
        long total = allocatedBytes >= 0 ? allocatedBytes : p.threadAllocated();
        StringBuilder s = new StringBuilder();
        s.append(Stats.f("| component | share of allocation samples | ≈ MB/s | ≈ KB per %s |%n|---|---:|---:|---:|%n", unit));
        p.allocatedBytes().forEach((name, weight) -> {
            if (weight > 0) {
                double share = (double) weight / Math.max(1, p.allocatedTotal());
                s.append(Stats.f("| %s | %.1f %% | %.1f | %.1f |%n", name, 100 * share, share * total / 1e6 / windowSeconds,
                        share * total / 1024.0 / Math.max(1, units)));
            }
        });
        s.append(Stats.f("| all threads of the node (`TotalThreadAllocatedBytes`) | 100 %% | %.1f | %.1f |%n",
                total / 1e6 / windowSeconds, total / 1024.0 / Math.max(1, units)));
        return s.toString();
    }

    /** The threads with the most samples, as "`name` n %, ...". */
    static String threads(Result p, int top) {
        return p.byThread().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .map(e -> Stats.f("`%s` %.0f %%", e.getKey(), 100.0 * e.getValue() / Math.max(1, p.total())))
                .reduce((a, b) -> a + ", " + b).orElse("none");
    }

    private static List<String> frames(RecordedEvent event) {
        List<String> frames = new ArrayList<>();
        if (event.getStackTrace() != null) {
            for (RecordedFrame f : event.getStackTrace().getFrames()) {
                if (f.getMethod() != null && f.getMethod().getType() != null) {
                    frames.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
                }
            }
        }
        return frames;
    }

    private static boolean any(List<String> frames, String method) {
        return frames.contains(method);
    }

    private static boolean prefix(List<String> frames, String prefix) {
        for (String f : frames) {
            if (f.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
