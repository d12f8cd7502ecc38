package org.homeconsole.bench.clientmanager;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of a process and of each of its threads, from Linux's {@code /proc/<pid>/stat} and
 * {@code /proc/<pid>/task/<tid>/stat}: works on any process (the node, the agents, this JVM) without attaching to it.
 * Thread names are the kernel's (Java sets them, cut to 15 characters); digits are folded to {@code #} so that
 * {@code vert.x-worker-thread-3} and {@code -17} count as one group.
 *
 * @param processTicks utime + stime of the whole process, clock ticks (1/100 s); -1 unknown
 * @param threadTicks per thread ({@code tid/name}) utime + stime
 */
record ProcCpu(long processTicks, Map<String, Long> threadTicks) {

    static ProcCpu of(long pid) {
        long process = ticks(Path.of("/proc/" + pid + "/stat"));
        Map<String, Long> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                String stat = read(task.resolve("stat"));
                if (stat != null) {
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    threads.put(task.getFileName() + "/" + name, ticksOf(stat));
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone, or not Linux
        }
        return new ProcCpu(process, threads);
    }

    /** CPU seconds of the process between {@code start} and this snapshot. */
    double secondsSince(ProcCpu start) {
        return processTicks < 0 || start.processTicks < 0 ? -1 : (processTicks - start.processTicks) / HostLoad.TICKS_PER_SECOND;
    }

    /** CPU seconds per thread group (names with digits folded), largest first; threads that ended are not counted. */
    Map<String, Double> groupsSince(ProcCpu start) {
        Map<String, Double> groups = new HashMap<>();
        threadTicks.forEach((key, ticks) -> {
            long spent = ticks - start.threadTicks.getOrDefault(key, 0L);
            if (spent > 0) {
                groups.merge(group(key.substring(key.indexOf('/') + 1)), spent / HostLoad.TICKS_PER_SECOND, Double::sum);
            }
        });
        Map<String, Double> sorted = new LinkedHashMap<>();
        groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** CPU seconds per thread (not folded), largest first. */
    Map<String, Double> threadsSince(ProcCpu start) {
        Map<String, Double> sorted = new LinkedHashMap<>();
        threadTicks.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - start.threadTicks.getOrDefault(e.getKey(), 0L)) / HostLoad.TICKS_PER_SECOND))
                .filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey().substring(e.getKey().indexOf('/') + 1), e.getValue()));
        return sorted;
    }

    /** Threads whose name starts with {@code prefix}. */
    long countThreads(String prefix) {
        return threadTicks.keySet().stream().filter(k -> k.substring(k.indexOf('/') + 1).startsWith(prefix)).count();
    }

    static String group(String threadName) {
        return threadName.replaceAll("[0-9]+", "#");
    }

    /** Resident set size in KiB, or -1. */
    static long rssKiB(long pid) {
        String status = read(Path.of("/proc/" + pid + "/status"));
        if (status != null) {
            for (String line : status.split("\n")) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return -1;
    }

    /** Threads of the process now, or -1. */
    static int threadCount(long pid) {
        String[] tasks = Path.of("/proc/" + pid + "/task").toFile().list();
        return tasks == null ? -1 : tasks.length;
    }

    private static long ticks(Path stat) {
        String text = read(stat);
        return text == null ? -1 : ticksOf(text);
    }

    private static long ticksOf(String stat) {
        // fields after "(comm) ": state is field 3, utime 14, stime 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
