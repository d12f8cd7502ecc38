package org.homeconsole.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU and GC time this JVM spent between two points, with the CPU split by who spent it: tells
 * whether a case was bound by the CPU (2 cores = at most 2 CPU-seconds per second) and which part
 * of the pipeline (the broker, the clients, the bus's threads) paid for an event.
 *
 * @param cpuNanos the whole process, JIT and GC threads included
 * @param byGroup CPU nanoseconds of the Java threads per {@link #GROUPS group}, plus {@code JIT} for the
 *                compiler threads (from Linux's {@code /proc}, 10 ms resolution) and {@code GC, VM} for the rest
 *                of the process (GC and VM threads, which are not Java threads)
 * @param machine the machine's counters when measured (a point, not a difference)
 * @param stealShare of a difference: CPU time the hypervisor took, as a share of all (-1 unknown)
 * @param othersCpuSeconds of a difference: CPU seconds every other process used (-1 unknown)
 */
record ResourceMeter(long cpuNanos, long gcMillis, long gcCount, Map<String, Long> byGroup, MachineLoad machine,
        double stealShare, double othersCpuSeconds) {

    /** Report order of the thread groups. */
    static final List<String> GROUPS = List.of("generator", "producer I/O", "raw consumer", "bus dispatcher",
            "bus subscribers", "broker", "JIT", "GC, VM");
    /** Linux's USER_HZ, as in {@link MachineLoad}. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static ResourceMeter now() {
        long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        long gcMillis = 0;
        long gcCount = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMillis += Math.max(0, gc.getCollectionTime());
            gcCount += Math.max(0, gc.getCollectionCount());
        }
        Map<String, Long> byThread = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null) {
                long threadCpu = THREADS.getThreadCpuTime(info.getThreadId());
                if (threadCpu > 0) {
                    byThread.put(info.getThreadId() + "/" + info.getThreadName(), threadCpu);
                }
            }
        }
        byThread.put(COMPILER_KEY, compilerTicks() * NANOS_PER_TICK);
        return new ResourceMeter(cpu, gcMillis, gcCount, byThread, MachineLoad.now(), -1, -1);
    }

    private static final String COMPILER_KEY = "-1/JIT";

    /**
     * CPU clock ticks of the JIT compiler threads ({@code C1 CompilerThre…}, {@code C2 CompilerThre…} in
     * {@code /proc/self/task/<tid>/stat}); they are hidden from {@link ThreadMXBean}. 0 where there is no {@code /proc}.
     * A compiler thread that has ended is missing from the sum, so {@code bench/event-bus.sh} runs the JVM with
     * {@code -XX:-UseDynamicNumberOfCompilerThreads}, which keeps them all.
     */
    static long compilerTicks() {
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // fields 14 and 15 of stat (utime, stime) are 11 and 12 after the name
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the JIT's time stays in "GC, VM"
        }
        return ticks;
    }

    /** What was spent from {@code start} until now; threads that ended in between are counted as {@code GC, VM}. */
    static ResourceMeter since(ResourceMeter start) {
        ResourceMeter end = now();
        Map<String, Long> groups = new LinkedHashMap<>();
        GROUPS.forEach(g -> groups.put(g, 0L));
        long javaThreads = 0;
        for (Map.Entry<String, Long> thread : end.byGroup.entrySet()) {
            long spent = thread.getValue() - start.byGroup.getOrDefault(thread.getKey(), 0L);
            groups.merge(group(thread.getKey().substring(thread.getKey().indexOf('/') + 1)), spent, Long::sum);
            javaThreads += spent;
        }
        long process = end.cpuNanos - start.cpuNanos;
        groups.put("GC, VM", Math.max(0, process - javaThreads));
        return new ResourceMeter(process, end.gcMillis - start.gcMillis, end.gcCount - start.gcCount, groups, end.machine,
                end.machine.stealShare(start.machine), end.machine.othersCpuSeconds(start.machine, process / 1e9));
    }

    double cpuSeconds() {
        return cpuNanos / 1e9;
    }

    private static String group(String threadName) {
        if (threadName.equals("JIT")) {
            return "JIT";
        }
        if (threadName.equals("main")) {
            return "generator";
        }
        if (threadName.startsWith("kafka-producer-network-thread")) {
            return "producer I/O";
        }
        if (threadName.startsWith("bench-raw-consumer")) {
            return "raw consumer";
        }
        if (threadName.startsWith("hc-events-consumer")) {
            return "bus dispatcher";
        }
        if (threadName.startsWith("hc-event-subscriber")) {
            return "bus subscribers";
        }
        // the broker's request handlers, network, raft, coordinator and scheduler threads (and a few admin clients)
        return "broker";
    }
}
