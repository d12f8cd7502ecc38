package org.homeconsole.bench.clientmanager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole machine's CPU counters from Linux's {@code /proc/stat}: how much the hypervisor took away (steal) and
 * how busy the CPUs were, so that a window disturbed by other work can be told from a clean one. Unknown (negative)
 * off Linux.
 *
 * @param busyTicks user + nice + system + irq + softirq of every CPU, in clock ticks (1/100 s)
 * @param stealTicks taken by the hypervisor
 * @param totalTicks everything, idle included
 */
record HostLoad(long busyTicks, long stealTicks, long totalTicks) {

    static final double TICKS_PER_SECOND = 100;

    static HostLoad now() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                            + Long.parseLong(f[7]);
                    long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
                    return new HostLoad(busy, steal, busy + Long.parseLong(f[4]) + Long.parseLong(f[5]) + steal);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new HostLoad(-1, -1, -1);
    }

    /** Steal as a share of all CPU time since {@code start}; -1 unknown. */
    double stealShare(HostLoad start) {
        long total = totalTicks - start.totalTicks;
        return start.totalTicks < 0 || total <= 0 ? -1 : (double) (stealTicks - start.stealTicks) / total;
    }

    /** CPU seconds the whole machine was busy since {@code start}; -1 unknown. */
    double busySeconds(HostLoad start) {
        return start.busyTicks < 0 ? -1 : (busyTicks - start.busyTicks) / TICKS_PER_SECOND;
    }
}
