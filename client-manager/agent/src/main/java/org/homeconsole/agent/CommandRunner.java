package org.homeconsole.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.homeconsole.clientmanager.protocol.Messages;
import org.homeconsole.clientmanager.protocol.Protocol;

/**
 * Runs the commands of a real agent as local processes: admission (at most {@code maxConcurrent} at once, above
 * that the result is failed with "agent busy"), the table of running commands by id, cancel. One
 * {@link RunningCommand} per command does the work.
 */
final class CommandRunner implements CommandExecutor {

    static final String BUSY = "agent busy";

    private final int maxConcurrent;
    private final Map<String, RunningCommand> running = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(daemon("agent-command-"));
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("agent-command-timer-"));

    CommandRunner(int maxConcurrent) {
        this.maxConcurrent = maxConcurrent;
    }

    @Override
    public void start(JsonNode command, CommandSink sink) {
        String id = command.get("command_id").textValue();
        if (running.containsKey(id)) {
            sink.send(Messages.error(Protocol.ERR_INVALID, "command " + id + " is already running", Protocol.COMMAND, id));
            return;
        }
        if (running.size() >= maxConcurrent) {
            sink.sendResult(Messages.result(id, Protocol.STATE_FAILED, null, 0, 0, false, BUSY));
            return;
        }
        RunningCommand task = new RunningCommand(command, sink, timers, () -> running.remove(id));
        running.put(id, task);
        threads.execute(() -> task.run(threads));
    }

    @Override
    public boolean cancel(String commandId) {
        RunningCommand task = running.get(commandId);
        if (task == null) {
            return false;
        }
        task.stop(Protocol.STATE_CANCELLED);
        return true;
    }

    @Override
    public int running() {
        return running.size();
    }

    @Override
    public java.util.Collection<String> runningIds() {
        return java.util.List.copyOf(running.keySet());
    }

    @Override
    public void cancelAll() {
        running.values().forEach(task -> task.stop(Protocol.STATE_CANCELLED));
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
