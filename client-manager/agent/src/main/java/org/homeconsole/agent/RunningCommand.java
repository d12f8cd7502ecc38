package org.homeconsole.agent;

import static org.homeconsole.clientmanager.protocol.Protocol.STATE_FAILED;
import static org.homeconsole.clientmanager.protocol.Protocol.STATE_SUCCEEDED;
import static org.homeconsole.clientmanager.protocol.Protocol.STATE_TIMED_OUT;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.homeconsole.clientmanager.protocol.Messages;
import org.homeconsole.clientmanager.protocol.Protocol;

/**
 * One command as a local process: stdout and stderr pumped to the sink in chunks (one {@code seq} counter for
 * both), each sent once full or {@value #HOLD_MS} ms after its first byte, whichever comes first; the output
 * limit, the timeout, cancel by killing the process tree, and exactly one result.
 *
 * <p>Threads: {@link #run} on a pool thread starts the process and then pumps stdout; a second pool thread pumps
 * stderr; the timer thread handles the timeout and the kill grace. The result is sent by whichever of them
 * finishes last.
 */
final class RunningCommand {

    static final long KILL_GRACE_MS = 2_000;
    /**
     * Longest a chunk's first byte waits for more to fill it (docs/agent-protocol.md §5.2 allows up to
     * {@link Protocol#MAX_OUTPUT_HOLD_MS}): a command printing line by line sends a few chunks per stream a
     * second instead of one per line, well within the server's message rate.
     */
    static final int HOLD_MS = 20;
    private static final long HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(HOLD_MS);
    /** After a kill, how long to wait for the pipes to close before giving up on them (an orphan may hold them). */
    static final long ABANDON_AFTER_KILL_MS = KILL_GRACE_MS + 3_000;

    private final String id;
    private final JsonNode command;
    private final CommandSink sink;
    private final ScheduledExecutorService timers;
    private final Runnable onEnd;
    private final long receivedNanos = System.nanoTime();
    private final long maxOutputBytes;

    private final Object outputLock = new Object();
    private long seq;            // guarded by outputLock
    private long outputBytes;    // guarded by outputLock
    private boolean truncated;   // guarded by outputLock

    private final AtomicReference<String> stopState = new AtomicReference<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Process process;
    private volatile boolean killed;
    private volatile ScheduledFuture<?> timeout;

    RunningCommand(JsonNode command, CommandSink sink, ScheduledExecutorService timers, Runnable onEnd) {
        this.id = command.get("command_id").textValue();
        this.command = command;
        this.sink = sink;
        this.timers = timers;
        this.onEnd = onEnd;
        this.maxOutputBytes = command.get("max_output_bytes").asLong();
    }

    /** Starts the process and pumps its stdout; returns when stdout is closed. Call on a pool thread. */
    void run(Executor threads) {
        if (stopState.get() != null) {
            finish(null);
            return;
        }
        Process started;
        try {
            started = processBuilder().start();
        } catch (IOException | RuntimeException e) {
            finish("cannot start: " + e.getMessage());
            return;
        }
        process = started;
        try {
            started.getOutputStream().close(); // no stdin: a command waiting for input would hang until its timeout
        } catch (IOException ignored) {
            // the process may already be gone
        }
        long left = command.get("timeout_ms").asLong() - elapsedMs();
        timeout = timers.schedule(() -> stop(STATE_TIMED_OUT), Math.max(0, left), TimeUnit.MILLISECONDS);
        if (stopState.get() != null) {
            kill(); // cancelled while starting
        }
        int chunk = sink.maxChunkBytes();
        CompletableFuture<Void> stderr = CompletableFuture.runAsync(() -> pump(started.getErrorStream(), Protocol.STDERR, chunk), threads);
        CompletableFuture<Void> stdout = new CompletableFuture<>();
        CompletableFuture.allOf(stdout, stderr, started.onExit()).whenComplete((v, e) -> finish(null));
        pump(started.getInputStream(), Protocol.STDOUT, chunk);
        stdout.complete(null);
    }

    /** Kills the command for {@code state} (timed_out or cancelled); the first reason wins. */
    void stop(String state) {
        if (!stopState.compareAndSet(null, state)) {
            return;
        }
        if (process != null) {
            kill();
        }
        timers.schedule(() -> finish(null), ABANDON_AFTER_KILL_MS, TimeUnit.MILLISECONDS);
    }

    private ProcessBuilder processBuilder() {
        List<String> argv = new ArrayList<>();
        if (command.hasNonNull("argv")) {
            command.get("argv").forEach(a -> argv.add(a.asText()));
        } else if (System.getProperty("os.name", "").startsWith("Windows")) {
            argv.addAll(List.of("cmd.exe", "/c", command.get("shell").asText()));
        } else {
            argv.addAll(List.of("/bin/sh", "-c", command.get("shell").asText()));
        }
        ProcessBuilder builder = new ProcessBuilder(argv);
        command.path("env").fields().forEachRemaining(e -> builder.environment().put(e.getKey(), e.getValue().asText()));
        if (command.hasNonNull("cwd")) {
            builder.directory(new File(command.get("cwd").asText()));
        }
        return builder;
    }

    private void pump(InputStream in, String stream, int chunk) {
        byte[] buffer = new byte[chunk];
        try (in) {
            int n;
            // read() waits for the first bytes of a chunk; fill() adds what follows within the hold
            while ((n = in.read(buffer)) != -1) {
                if (n > 0) {
                    emit(stream, buffer, fill(in, buffer, n));
                }
            }
        } catch (IOException closed) {
            // the pipe closed under us (process killed): the output ends here
        }
    }

    /** Reads more into {@code buffer} after its first {@code n} bytes until it is full or the hold is over. */
    static int fill(InputStream in, byte[] buffer, int n) throws IOException {
        long deadline = System.nanoTime() + HOLD_NANOS;
        while (n < buffer.length) {
            int available = in.available();
            if (available > 0) {
                int read = in.read(buffer, n, Math.min(available, buffer.length - n));
                if (read < 0) {
                    break;
                }
                n += read;
            } else if (System.nanoTime() - deadline >= 0) {
                break;
            } else {
                LockSupport.parkNanos(1_000_000);
            }
        }
        return n;
    }

    private void emit(String stream, byte[] buffer, int n) {
        synchronized (outputLock) {
            long before = outputBytes;
            outputBytes += n;
            if (finished.get()) {
                return;
            }
            int send = (int) Math.max(0, Math.min(n, maxOutputBytes - before));
            if (send < n) {
                truncated = true;
            }
            if (send > 0) {
                if (sink.sendOutput(Messages.output(id, stream, seq, buffer, 0, send), finished::get)) {
                    seq++;
                } else {
                    truncated = true;
                }
            }
        }
    }

    /** Descendants first (so that none is reparented and missed), then the process; forcibly after the grace. */
    private void kill() {
        Process p = process;
        if (p.isAlive()) {
            killed = true;
        }
        List<ProcessHandle> tree = p.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        p.destroy();
        timers.schedule(() -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            tree.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }, KILL_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    private void finish(String startError) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
        Process p = process;
        Integer exitCode = p != null && !p.isAlive() && !killed ? p.exitValue() : null;
        String stopped = stopState.get();
        String state;
        String error = startError;
        if (startError != null) {
            state = STATE_FAILED;
        } else if (stopped != null) {
            state = stopped;
            if (STATE_TIMED_OUT.equals(stopped)) {
                error = "timed out after " + command.get("timeout_ms").asLong() + " ms";
            }
        } else {
            state = exitCode != null && exitCode == 0 ? STATE_SUCCEEDED : STATE_FAILED;
        }
        synchronized (outputLock) { // waits for a chunk being sent: no output after the result
            sink.sendResult(Messages.result(id, state, exitCode, elapsedMs(), outputBytes, truncated, error));
        }
        onEnd.run();
    }

    private long elapsedMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - receivedNanos);
    }
}
