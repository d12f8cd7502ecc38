package org.homeconsole.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the rest of the machine did meanwhile, from Linux's {@code /proc/stat}: the share of CPU time
 * the hypervisor took away (steal) and the CPU other processes used. On a shared machine these tell a
 * clean round from one another job disturbed; elsewhere every value is unknown (negative).
 *
 * @param busyTicks user + nice + system + irq + softirq of every CPU, in clock ticks
 * @param stealTicks stolen by the hypervisor
 * @param totalTicks everything, idle included
 */
record MachineLoad(long busyTicks, long stealTicks, long totalTicks) {

    /** Linux's USER_HZ: /proc/stat counts in 1/100 s on every common architecture. */
    private static final double TICKS_PER_SECOND = 100;
    private static final Path STAT = Path.of("/proc/stat");
    private static final Path IDLE_DRIVER = Path.of("/sys/devices/system/cpu/cpuidle/current_driver");
    private static final Path HALT_POLL = Path.of("/sys/module/haltpoll/parameters/guest_halt_poll_ns");

    static MachineLoad now() {
        try {
            for (String line : Files.readAllLines(STAT)) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long user = Long.parseLong(f[1]);
                    long nice = Long.parseLong(f[2]);
                    long system = Long.parseLong(f[3]);
                    long idle = Long.parseLong(f[4]);
                    long iowait = Long.parseLong(f[5]);
                    long irq = Long.parseLong(f[6]);
                    long softirq = Long.parseLong(f[7]);
                    long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
                    long busy = user + nice + system + irq + softirq;
                    return new MachineLoad(busy, steal, busy + idle + iowait + steal);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: report unknown
        }
        return new MachineLoad(-1, -1, -1);
    }

    /**
     * How an idle CPU of this machine waits, for the report: Linux's cpuidle driver and, in a VM with the haltpoll
     * driver, how long an idle vCPU polls before it halts. A halted vCPU is woken through the host, which may be
     * busy with other guests: on the VMs here (haltpoll with 0 ns) that wait is the open-loop latency cases' steal.
     */
    static String idleSetting() {
        String driver = read(IDLE_DRIVER);
        String poll = read(HALT_POLL);
        return "cpuidle driver " + (driver == null ? "unknown" : driver)
                + (poll == null ? "" : ", guest_halt_poll_ns=" + poll + (poll.equals("0") ? " (an idle vCPU halts at once)" : ""));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Steal as a share of all CPU time since {@code start}, or -1. */
    double stealShare(MachineLoad start) {
        long total = totalTicks - start.totalTicks;
        return start.totalTicks < 0 || totalTicks < 0 || total <= 0 ? -1 : (double) (stealTicks - start.stealTicks) / total;
    }

    /** CPU seconds used by everything but this process since {@code start}, or -1. */
    double othersCpuSeconds(MachineLoad start, double ownCpuSeconds) {
        if (start.busyTicks < 0 || busyTicks < 0) {
            return -1;
        }
        return Math.max(0, (busyTicks - start.busyTicks) / TICKS_PER_SECOND - ownCpuSeconds);
    }
}
