package org.homeconsole.bench.clientmanager;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JVM this benchmark started (the node, the echo server, the agents). Every one is stopped when the benchmark
 * ends, however it ends (a shutdown hook: SIGTERM, then SIGKILL after 30 s), and its pid is appended to the file
 * named by {@code BENCH_PIDS_FILE} so that the calling script can kill what is left if this JVM itself is killed.
 */
final class ChildJvm implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChildJvm.class);
    private static final List<ChildJvm> RUNNING = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ChildJvm::close), "bench-children-stop"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java <jvmOptions> -cp <classpath> <mainClass> <args>} with the same JDK as this JVM.
     *
     * @param env added to this process's environment; a null value removes the variable
     */
    static ChildJvm start(String name, List<String> jvmOptions, String classpath, String mainClass, List<String> args,
            Map<String, String> env, Path workingDir, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        env.forEach((k, v) -> {
            if (v == null) {
                builder.environment().remove(k);
            } else {
                builder.environment().put(k, v);
            }
        });
        try {
            Files.createDirectories(log.getParent());
            Process process = builder.start();
            ChildJvm child = new ChildJvm(name, process, log);
            RUNNING.add(child);
            String pids = System.getenv("BENCH_PIDS_FILE");
            if (pids != null && !pids.isBlank()) {
                Files.writeString(Path.of(pids), process.pid() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            LOG.info("Started {} (pid {}): java {} ... {}; log {}", name, process.pid(), String.join(" ", jvmOptions),
                    mainClass, log);
            return child;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    String name() {
        return name;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Fails, with the end of the log, when the process has exited. */
    void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; last lines of " + log
                    + ":\n" + tail(30));
        }
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL when it has not exited after 30 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    LOG.warn("{} (pid {}) did not stop within 30 s after SIGTERM: killing it", name, process.pid());
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        RUNNING.remove(this);
    }
}
