package org.homeconsole.bench.clientmanager;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@code jcmd} tells about another JVM: its heap after a full GC and its live objects. */
final class JvmTools {

    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K");
    private static final Pattern HISTO_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
    private static final Pattern HISTO_TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$");

    private JvmTools() {
    }

    /** @param usedBytes heap in use (GC.heap_info), @param committedBytes heap committed */
    record Heap(long usedBytes, long committedBytes) {
    }

    /** Live objects after a full GC: bytes and instances per class, and the total. */
    record Histogram(long totalBytes, long totalInstances, Map<String, long[]> byClass) {
    }

    /**
     * {@code jcmd <pid> GC.run} twice (the second collects what the first only made unreachable, e.g. objects with
     * finalizers or reference processing), then the heap in use from {@code GC.heap_info}.
     */
    static Heap heapAfterGc(long pid) {
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no heap figures in GC.heap_info of " + pid + ":\n" + info);
        }
        return new Heap(Long.parseLong(m.group(2)) * 1024, Long.parseLong(m.group(1)) * 1024);
    }

    /** {@code jcmd <pid> GC.class_histogram}: live objects only (it runs a full GC first). */
    static Histogram histogram(long pid) {
        String out = jcmd(pid, "GC.class_histogram");
        Map<String, long[]> byClass = new HashMap<>();
        long totalBytes = -1;
        long totalInstances = -1;
        for (String line : out.split("\n")) {
            Matcher m = HISTO_LINE.matcher(line);
            if (m.matches()) {
                byClass.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
                continue;
            }
            Matcher t = HISTO_TOTAL.matcher(line.trim());
            if (t.matches()) {
                totalInstances = Long.parseLong(t.group(1));
                totalBytes = Long.parseLong(t.group(2));
            }
        }
        return new Histogram(totalBytes, totalInstances, byClass);
    }

    static String jcmd(long pid, String command) {
        return run(List.of("jcmd", Long.toString(pid), command));
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within 120 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command + " failed (" + p.exitValue() + "): " + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
