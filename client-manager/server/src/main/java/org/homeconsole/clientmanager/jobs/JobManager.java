package org.homeconsole.clientmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.homeconsole.api.storage.Storage;
import org.homeconsole.clientmanager.EventsOut;
import org.homeconsole.clientmanager.WriteBehind;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands and jobs: sends each run to its agent, takes the agent's output and result, ends runs whose
 * agent went away, expires queued runs, and keeps recent jobs in memory (with their output) and every
 * job's record in Storage {@code client_manager.jobs} (written behind, in batches).
 *
 * <p>Recent jobs: the last 10,000 jobs of this node, bounded also by 64 MiB of records and 512 MiB of output
 * ({@link Limits#DEFAULT}; beyond the output budget the output of the jobs that ended first is let go, their
 * records stay). A job is kept live ({@link Job}) while it runs and as a compact {@link FinishedJob} record
 * once it has ended, so the thousands kept cost little to the garbage collector. Older jobs are answered from
 * Storage ({@link #stored}).
 *
 * <p>Events: {@code job.created} and {@code job.completed} for every job; {@code command.completed} for each
 * agent of a job with more than one agent (a single-agent job's result is in {@code job.completed}).
 */
public final class JobManager implements AutoCloseable {

    /** The way to agents, as the job manager needs it: this node's sockets, or another node's. */
    public interface AgentLink {
        /**
         * Sends a message to the agent. Empty when the agent is not connected anywhere reachable; else a
         * local session id, or {@code node:<id>} when it went to the node holding the agent (which may
         * still fail later: then {@link JobManager#dispatchFailed} is called).
         */
        Optional<String> send(String agentId, ObjectNode message);

        /**
         * Thrown by {@link #send} for a command the agent cannot take: its hello did not announce the
         * {@value Protocol#CAP_EXEC} capability. The run ends {@code refused} with the message.
         */
        final class NotCapable extends RuntimeException {
            public NotCapable(String message) {
                super(message, null, false, false);
            }
        }
    }

    /** Why an agent's message was not taken: an {@code error} code of docs/agent-protocol.md §3.8 and a text. */
    public record Refusal(String code, String message) {
        static Refusal unknown(String commandId) {
            return new Refusal(Protocol.ERR_UNKNOWN_COMMAND, "unknown command_id '" + commandId + "'");
        }
    }

    /** Prefix of {@link AgentLink#send} results that name another node. */
    public static final String REMOTE = "node:";
    /** Forwarded chunks held back waiting for an earlier one, per command. */
    private static final int MAX_EARLY_CHUNKS = 4096;

    /** Who watches jobs live (the admin stream). */
    public interface Listener {
        void output(Job job, CommandRun run, String stream, int seq, byte[] data);

        void runEnded(Job job, CommandRun run);

        /** The job ended; {@code json} is its {@link Job#toJson toJson(mapper, 0)}, shared: read it, do not change it. */
        void jobEnded(Job job, ObjectNode json);
    }

    public static final String NAMESPACE = "client_manager.jobs";
    /**
     * How much of the recent jobs stays in memory.
     *
     * @param recentJobs   how many recent jobs (running or ended)
     * @param recordBudget bytes of ended jobs' records over all of them, beside their output
     * @param outputBudget bytes of output over all ended jobs; beyond it those that ended first lose theirs
     */
    public record Limits(int recentJobs, long recordBudget, long outputBudget) {
        public static final Limits DEFAULT = new Limits(10_000, 64L << 20, 512L << 20);
    }
    /** How long after its timeout a running command may stay without a result before it is declared lost. */
    private static final long RESULT_GRACE_MS = 15_000;

    private static final Logger LOG = LoggerFactory.getLogger(JobManager.class);

    private final String nodeId;
    private final AgentLink link;
    private final EventsOut events;
    private final Storage storage;
    private final ObjectMapper mapper;
    private volatile Listener listener;
    private volatile java.util.function.BiPredicate<String, String> holderAlive = (agent, node) -> true;
    private final ConcurrentHashMap<String, Parked> parked = new ConcurrentHashMap<>();

    /** A forwarded result that came before some of its output chunks. */
    private record Parked(String agentId, JsonNode message, int chunks, long since) {
    }
    /** Jobs kept in memory: the recent ones, and older ones still running. */
    private final ConcurrentHashMap<String, KeptJob> jobsById = new ConcurrentHashMap<>();
    /** Ids of the recent jobs, oldest first (guarded by itself, like everything below it). */
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    /** Ids of finished recent jobs that hold output, in the order they ended (may hold ids since let go). */
    private final ArrayDeque<String> holdingOutput = new ArrayDeque<>();
    private long keptOutput;
    private long keptRecords;
    private final RecordSlabs slabs = new RecordSlabs();
    private final ConcurrentHashMap<String, Active> active = new ConcurrentHashMap<>();
    private final WriteBehind unsaved;
    private final Limits limits;

    /** A run that has not ended, with what the sweep needs. */
    private record Active(Job job, CommandRun run, long deadlineMillis, String lostReason) {
        Active(Job job, CommandRun run, long deadlineMillis) {
            this(job, run, deadlineMillis, null);
        }
    }

    public JobManager(String nodeId, AgentLink link, EventsOut events, Storage storage, ObjectMapper mapper) {
        this(nodeId, link, events, storage, mapper, Limits.DEFAULT);
    }

    public JobManager(String nodeId, AgentLink link, EventsOut events, Storage storage, ObjectMapper mapper,
                      Limits limits) {
        this.limits = limits;
        this.nodeId = nodeId;
        this.link = link;
        this.events = events;
        this.storage = storage;
        this.mapper = mapper;
        this.unsaved = new WriteBehind(storage, NAMESPACE);
    }

    public void listener(Listener listener) {
        this.listener = listener;
    }

    /**
     * Tells whether an agent is still held by a node (the shared registry: online there, node alive); a run
     * on another node whose agent is no longer held there ends as lost.
     */
    public void holderAlive(java.util.function.BiPredicate<String, String> alive) {
        this.holderAlive = alive;
    }

    /**
     * Creates a job and sends its command to every agent now. An agent without a socket here fails at
     * once ({@code offline}) unless {@code queueTtlMs > 0}: then the run waits for the agent that long.
     */
    public Job submit(CommandSpec spec, List<String> agentIds, JsonNode target, long queueTtlMs) {
        Instant now = Instant.now();
        Job job = new Job(newId(), now, nodeId, spec, target);
        List<CommandRun> toSend = new ArrayList<>();
        for (String agentId : agentIds) {
            // <job id>.<index>: at most 36 + 1 + 6 characters, whatever the agent id (command_id has at most 128)
            CommandRun run = new CommandRun(job.id() + "." + job.runs().size(), agentId, spec.maxOutputBytes(), CommandRun.QUEUED);
            job.add(run);
            toSend.add(run);
        }
        remember(job);
        publish("job.created", job, summary(job));
        for (CommandRun run : toSend) {
            active.put(run.commandId(), new Active(job, run, 0));
            if (!dispatch(job, run) ) {
                if (queueTtlMs > 0) {
                    active.put(run.commandId(), new Active(job, run, System.currentTimeMillis() + queueTtlMs));
                } else {
                    end(job, run, CommandRun.OFFLINE, null, 0, "agent '" + run.agentId() + "' is not connected", null, null);
                }
            }
        }
        if (job.completeIfNothingOpen(Instant.now())) {
            jobEnded(job);
        }
        return job;
    }

    /** Creates a job whose every run was refused (policy), for the record. */
    public Job refused(CommandSpec spec, List<String> agentIds, JsonNode target, String reason) {
        Job job = new Job(newId(), Instant.now(), nodeId, spec, target);
        for (String agentId : agentIds) {
            CommandRun run = new CommandRun(job.id() + "." + job.runs().size(), agentId, 0, CommandRun.QUEUED);
            run.finish(CommandRun.REFUSED, null, 0, reason, null, null, Instant.now());
            job.add(run);
        }
        remember(job);
        job.completeIfNothingOpen(Instant.now());
        ObjectNode json = job.toJson(mapper, 0);
        unsaved.put(job.id(), json);
        keep(job, json);
        return job;
    }

    private boolean dispatch(Job job, CommandRun run) {
        ObjectNode command = mapper.createObjectNode();
        command.put("type", Protocol.COMMAND);
        command.put("command_id", run.commandId());
        job.spec().writeTo(command);
        // mark it running first: a fast agent's result may arrive before send() returns
        Instant now = Instant.now();
        run.dispatched(null, now);
        active.put(run.commandId(), new Active(job, run,
                System.currentTimeMillis() + job.spec().timeoutMs() + RESULT_GRACE_MS));
        Optional<String> session;
        try {
            session = link.send(run.agentId(), command);
        } catch (AgentLink.NotCapable e) {
            end(job, run, CommandRun.REFUSED, null, 0, e.getMessage(), null, null);
            return true;
        }
        session.ifPresent(id -> {
            run.dispatched(id, now);
            if (id.startsWith(REMOTE)) {
                run.node(id.substring(REMOTE.length()));
            }
        });
        if (session.isEmpty()) {
            run.undispatched();
            return false;
        }
        return true;
    }

    /** An agent (re)connected: send it its queued runs. */
    public void agentOnline(String agentId) {
        for (Active a : active.values()) {
            if (a.run().agentId().equals(agentId) && CommandRun.QUEUED.equals(a.run().state())) {
                dispatch(a.job(), a.run());
            }
        }
    }

    /**
     * An agent's socket closed. Its commands keep running on the agent, which sends their results after
     * it reconnects (docs/agent-protocol.md); a command whose agent is not back with a result within
     * {@code reconnectGraceMs} ends as {@code lost}, with the reason.
     */
    public void agentGone(String agentId, String reason, long reconnectGraceMs) {
        long deadline = System.currentTimeMillis() + reconnectGraceMs;
        for (Active a : active.values()) {
            if (a.run().agentId().equals(agentId) && CommandRun.RUNNING.equals(a.run().state())
                    && (a.deadlineMillis() == 0 || a.deadlineMillis() > deadline)) {
                active.replace(a.run().commandId(), a, new Active(a.job(), a.run(), deadline,
                        "agent disconnected (" + reason + ") and did not come back with a result"));
            }
        }
    }

    /**
     * An agent sent a new hello listing the commands it still runs or holds a result for ({@code hello.running}):
     * its runs that were sent before and are not listed end now as lost. Called before the new session can
     * be sent anything, so no run sent on it is among them. A listed run whose messages came through another
     * node now comes through this one.
     */
    public void agentResumed(String agentId, java.util.Set<String> stillRunning) {
        for (Active a : active.values()) {
            CommandRun run = a.run();
            if (run.agentId().equals(agentId) && CommandRun.RUNNING.equals(run.state())) {
                if (stillRunning.contains(run.commandId())) {
                    run.node(null);
                } else {
                    end(a.job(), run, CommandRun.LOST, null, 0, "the agent reconnected without the command "
                            + "(its hello did not list it as running)", null, null);
                }
            }
        }
    }

    /**
     * The agent answered a {@code cancel} with {@code unknown_command}: it has neither the command nor its
     * result (a result it had sent would have come before the answer, on the same socket). The run ends as lost.
     */
    public void agentForgot(String agentId, String commandId, String reason) {
        Active a = active.get(commandId);
        if (a != null && a.run().agentId().equals(agentId) && CommandRun.RUNNING.equals(a.run().state())) {
            end(a.job(), a.run(), CommandRun.LOST, null, 0, reason, null, null);
        }
    }

    /** An {@code output} message; returns why it was not taken (an error for the agent), or null. */
    public Refusal output(String agentId, JsonNode message, byte[] data) {
        String commandId = message.path("command_id").asText();
        Active a = active.get(commandId);
        if (a == null || !a.run().agentId().equals(agentId)) {
            return Refusal.unknown(commandId);
        }
        String stream = message.path("stream").asText();
        int seq = message.path("seq").asInt();
        int expected = a.run().chunksInOrder();
        CommandRun.Appended how = a.run().append(seq, Protocol.STDERR.equals(stream), data);
        switch (how) {
            case ENDED -> {
                return new Refusal(Protocol.ERR_UNKNOWN_COMMAND, "command " + commandId + " already ended");
            }
            case REPEATED -> {
                return new Refusal(Protocol.ERR_INVALID, "seq: " + seq + " was already received (expected " + expected
                        + "); chunk dropped");
            }
            default -> {
                Listener l = listener;
                if (l != null) {
                    l.output(a.job(), a.run(), stream, seq, data);
                }
                return how == CommandRun.Appended.IN_ORDER ? null : new Refusal(Protocol.ERR_INVALID, "seq: " + seq
                        + " skips " + (seq - expected) + " chunk(s) after " + (expected - 1)
                        + "; chunk taken, the missing ones count as lost output");
            }
        }
    }

    /**
     * Another node could not deliver a command it was given: the run ends, not sent ({@code offline}, or
     * {@code refused} when the agent lacks the capability).
     */
    public void dispatchFailed(String commandId, String reason, boolean refused) {
        Active a = active.get(commandId);
        if (a != null && CommandRun.RUNNING.equals(a.run().state())) {
            end(a.job(), a.run(), refused ? CommandRun.REFUSED : CommandRun.OFFLINE, null, 0, reason, null, null);
        }
    }

    /** The node holding the agent found that the agent lost this node's command: the run ends as lost. */
    public void lostForwarded(String agentId, String commandId, String reason) {
        agentForgot(agentId, commandId, reason);
    }

    /** An {@code output} message another node forwarded (may overtake earlier ones); returns an error text or null. */
    public String outputForwarded(String agentId, JsonNode message, byte[] data) {
        String commandId = message.path("command_id").asText();
        Active a = active.get(commandId);
        if (a == null || !a.run().agentId().equals(agentId)) {
            return "unknown command_id '" + commandId + "'";
        }
        String stream = message.path("stream").asText();
        int seq = message.path("seq").asInt();
        String problem = a.run().appendForwarded(seq, Protocol.STDERR.equals(stream), data, MAX_EARLY_CHUNKS);
        if (problem != null) {
            return problem;
        }
        Listener l = listener;
        if (l != null) {
            l.output(a.job(), a.run(), stream, seq, data);
        }
        Parked waiting = parked.get(commandId);
        if (waiting != null && a.run().chunksInOrder() >= waiting.chunks() && parked.remove(commandId, waiting)) {
            result(waiting.agentId(), waiting.message());
        }
        return null;
    }

    /**
     * A {@code result} another node forwarded, with the number of output chunks it forwarded before: the
     * run ends once they are all in (calls between nodes may overtake each other).
     */
    public String resultForwarded(String agentId, JsonNode message, int chunks) {
        String commandId = message.path("command_id").asText();
        Active a = active.get(commandId);
        if (a == null || !a.run().agentId().equals(agentId)) {
            return "unknown command_id '" + commandId + "'";
        }
        if (a.run().chunksInOrder() >= chunks) {
            return result(agentId, message);
        }
        parked.put(commandId, new Parked(agentId, message, chunks, System.currentTimeMillis()));
        if (a.run().chunksInOrder() >= chunks && parked.remove(commandId) != null) {
            return result(agentId, message);
        }
        return null;
    }

    /** A {@code result} message; returns an error text for the agent, or null. */
    public String result(String agentId, JsonNode message) {
        String commandId = message.path("command_id").asText();
        Active a = active.get(commandId);
        if (a == null || !a.run().agentId().equals(agentId)) {
            return "unknown command_id '" + commandId + "'";
        }
        JsonNode exit = message.get("exit_code");
        end(a.job(), a.run(), message.path("state").asText(), exit == null || exit.isNull() ? null : exit.asInt(),
                message.path("duration_ms").asLong(), message.hasNonNull("error") ? message.get("error").asText() : null,
                message.path("output_bytes").asLong(), message.path("truncated").asBoolean(false));
        return null;
    }

    /** Cancels what has not ended: queued runs end now, running ones are asked to stop. */
    public Optional<KeptJob> cancel(String jobId) {
        KeptJob kept = jobsById.get(jobId);
        if (!(kept instanceof Job job)) {
            // ended: nothing left to cancel
            return Optional.ofNullable(kept);
        }
        for (CommandRun run : job.runs()) {
            String state = run.state();
            if (CommandRun.QUEUED.equals(state)) {
                end(job, run, CommandRun.CANCELLED, null, 0, "cancelled before it was sent", null, null);
            } else if (CommandRun.RUNNING.equals(state)) {
                ObjectNode cancel = mapper.createObjectNode().put("type", Protocol.CANCEL).put("command_id", run.commandId());
                if (link.send(run.agentId(), cancel).isEmpty()) {
                    end(job, run, CommandRun.LOST, null, 0, "agent not connected to cancel", null, null);
                }
            }
        }
        return Optional.of(kept);
    }

    /** Expires queued runs past their TTL and declares lost the running ones long past their timeout. */
    public void sweep() {
        long now = System.currentTimeMillis();
        for (Parked p : parked.values()) {
            if (now - p.since() > 30_000) {
                String commandId = p.message().path("command_id").asText();
                if (parked.remove(commandId, p)) {
                    Active a = active.get(commandId);
                    if (a != null) {
                        end(a.job(), a.run(), CommandRun.LOST, null, 0, "output chunks forwarded by the agent's node "
                                + "did not all arrive (" + a.run().chunksInOrder() + " of " + p.chunks() + ")", null, null);
                    }
                }
            }
        }
        for (Active a : active.values()) {
            String holder = a.run().node();
            Instant started = a.run().startedAt();
            // only runs out for a while are checked, so the shared registry is asked little in normal operation
            if (holder != null && started != null && now - started.toEpochMilli() > 2_000
                    && CommandRun.RUNNING.equals(a.run().state()) && !holderStillHolds(a.run().agentId(), holder)) {
                end(a.job(), a.run(), CommandRun.LOST, null, 0, "node '" + holder + "' holding agent '"
                        + a.run().agentId() + "' was lost or lost the agent", null, null);
                continue;
            }
            if (a.deadlineMillis() > 0 && a.deadlineMillis() < now) {
                if (CommandRun.QUEUED.equals(a.run().state())) {
                    end(a.job(), a.run(), CommandRun.EXPIRED, null, 0,
                            "agent '" + a.run().agentId() + "' did not connect within the queue TTL", null, null);
                } else {
                    end(a.job(), a.run(), CommandRun.LOST, null, 0, a.lostReason() != null ? a.lostReason()
                            : "no result from the agent within " + (a.job().spec().timeoutMs() + RESULT_GRACE_MS) + " ms",
                            null, null);
                }
            }
        }
        flush();
    }

    private boolean holderStillHolds(String agentId, String holder) {
        try {
            return holderAlive.test(agentId, holder);
        } catch (RuntimeException e) {
            return true; // the registry is unreachable: no verdict now, the next sweep asks again
        }
    }

    /** A job kept in memory: live while it runs, then its compact record. */
    public Optional<KeptJob> get(String jobId) {
        return Optional.ofNullable(jobsById.get(jobId));
    }

    /** A job's stored record, for jobs no longer in memory. */
    public Optional<JsonNode> stored(String jobId) {
        Optional<JsonNode> pending = unsaved.pending(jobId);
        return pending.isPresent() ? pending : storage.get(NAMESPACE, jobId);
    }

    /** The most recent jobs in memory, newest first. */
    public List<KeptJob> recent(int limit) {
        List<String> ids = new ArrayList<>(Math.min(limit, 1024));
        synchronized (recent) {
            for (Iterator<String> newest = recent.descendingIterator(); newest.hasNext() && ids.size() < limit; ) {
                ids.add(newest.next());
            }
        }
        List<KeptJob> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            KeptJob job = jobsById.get(id);
            if (job != null) {
                out.add(job);
            }
        }
        return out;
    }

    public int running() {
        return active.size();
    }

    private void end(Job job, CommandRun run, String state, Integer exit, long duration, String error, Long bytes,
                     Boolean truncated) {
        if (!run.finish(state, exit, duration, error, bytes, truncated, Instant.now())) {
            return;
        }
        active.remove(run.commandId());
        Listener l = listener;
        if (l != null) {
            l.runEnded(job, run);
        }
        if (job.runs().size() > 1) {
            CommandRun.Snapshot s = run.snapshot();
            ObjectNode data = mapper.createObjectNode().put("job_id", job.id()).put("agent_id", s.agentId())
                    .put("command_id", s.commandId()).put("state", s.state()).put("duration_ms", s.durationMs());
            if (s.exitCode() != null) {
                data.put("exit_code", s.exitCode());
            }
            if (s.error() != null) {
                data.put("error", s.error());
            }
            publish("command.completed", job, data);
        }
        if (job.runEnded(Instant.now())) {
            jobEnded(job);
        }
    }

    /** A job ended: its JSON is built once, for Storage, the {@code job.completed} event, watchers and the record. */
    private void jobEnded(Job job) {
        ObjectNode json = job.toJson(mapper, 0);
        unsaved.put(job.id(), json);
        publish("job.completed", job, json);
        Listener l = listener;
        if (l != null) {
            l.jobEnded(job, json);
        }
        keep(job, json);
    }

    private ObjectNode summary(Job job) {
        ObjectNode data = mapper.createObjectNode().put("job_id", job.id()).put("node", nodeId)
                .put("command", job.spec().commandLine()).put("agents", job.runs().size());
        return data;
    }

    private void publish(String type, Job job, ObjectNode data) {
        events.publish(type, job.id(), data);
    }

    /** A new job joins the recent ones (the oldest leave when there are too many). */
    private void remember(Job job) {
        jobsById.put(job.id(), job);
        synchronized (recent) {
            recent.addLast(job.id());
            evict();
        }
    }

    /**
     * An ended job is kept as its compact record, if it is still among the recent ones (a job pushed out
     * while it ran is let go now: Storage has its record).
     */
    private void keep(Job job, ObjectNode json) {
        FinishedJob.Draft draft = FinishedJob.draft(job, json, mapper);
        synchronized (recent) {
            if (job.pushedOut()) {
                jobsById.remove(job.id(), job);
                return;
            }
            if (jobsById.get(job.id()) != job) {
                return;
            }
            FinishedJob record = FinishedJob.place(draft, slabs);
            jobsById.put(job.id(), record);
            keptRecords += record.recordBytes();
            long output = record.outputBytes();
            if (output > 0) {
                keptOutput += output;
                holdingOutput.addLast(job.id());
            }
            trimOutput(job.id());
            evict();
        }
    }

    /** Lets the oldest recent jobs go while there are more than the count or record budget allows. */
    private void evict() {
        while (recent.size() > limits.recentJobs() || keptRecords > limits.recordBudget() && recent.size() > 1) {
            String oldest = recent.pollFirst();
            KeptJob job = jobsById.get(oldest);
            if (job instanceof FinishedJob record) {
                jobsById.remove(oldest, record);
                keptRecords -= record.recordBytes();
                keptOutput -= record.outputBytes();
            } else if (job instanceof Job running) {
                // still running: it stays reachable until it ends, then goes (see keep)
                running.pushOut();
            }
        }
        // ids of jobs let go gather at the head (jobs end roughly in the order they started)
        while (!holdingOutput.isEmpty() && !(jobsById.get(holdingOutput.peekFirst()) instanceof FinishedJob)) {
            holdingOutput.pollFirst();
        }
        if (holdingOutput.size() > 2 * limits.recentJobs()) {
            holdingOutput.removeIf(id -> !(jobsById.get(id) instanceof FinishedJob));
        }
    }

    /** Lets go of the output of the jobs that ended first while over the output budget (never the one just ended). */
    private void trimOutput(String justEnded) {
        while (keptOutput > limits.outputBudget() && !holdingOutput.isEmpty() && !holdingOutput.peekFirst().equals(justEnded)) {
            String id = holdingOutput.pollFirst();
            if (jobsById.get(id) instanceof FinishedJob record) {
                keptOutput -= record.dropOutput();
            }
        }
    }

    /** Writes the finished jobs not yet stored, in one batch. */
    public void flush() {
        unsaved.flush();
    }

    @Override
    public void close() {
        for (Active a : active.values()) {
            end(a.job(), a.run(), CommandRun.LOST, null, 0, "client manager stopped", null, null);
        }
        flush();
    }

    private static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID(r.nextLong(), r.nextLong()).toString();
    }
}
