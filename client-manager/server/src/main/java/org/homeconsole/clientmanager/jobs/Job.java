package org.homeconsole.clientmanager.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One command sent to one or many agents: the request, one {@link CommandRun} per agent, and a future
 * that completes when every run has ended. Once it has ended, the job manager keeps a {@link FinishedJob}
 * record of it instead; whoever still holds the job (a REST call waiting on {@link #done()}) may go on using it.
 */
public final class Job implements KeptJob {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";

    private final String id;
    private final Instant createdAt;
    private final String node;
    private final CommandSpec spec;
    private final JsonNode target;
    private final Map<String, CommandRun> runs = new LinkedHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final CompletableFuture<Job> done = new CompletableFuture<>();
    private volatile Instant finishedAt;
    /** Set when newer jobs pushed this one out of the recent jobs while it still ran. */
    private volatile boolean pushedOut;

    Job(String id, Instant createdAt, String node, CommandSpec spec, JsonNode target) {
        this.id = id;
        this.createdAt = createdAt;
        this.node = node;
        this.spec = spec;
        this.target = target;
    }

    void add(CommandRun run) {
        runs.put(run.agentId(), run);
        if (!run.terminal()) {
            open.incrementAndGet();
        }
    }

    /** Called once per run that ends; returns true for the call that ends the job. */
    boolean runEnded(Instant at) {
        if (open.decrementAndGet() == 0) {
            finishedAt = at;
            done.complete(this);
            return true;
        }
        return false;
    }

    /** Completes a job whose runs all ended at creation (refused, offline). */
    boolean completeIfNothingOpen(Instant at) {
        if (open.get() == 0 && !done.isDone()) {
            finishedAt = at;
            done.complete(this);
            return true;
        }
        return false;
    }

    @Override
    public String id() {
        return id;
    }

    public CommandSpec spec() {
        return spec;
    }

    public Collection<CommandRun> runs() {
        return runs.values();
    }

    public CommandRun run(String agentId) {
        return runs.get(agentId);
    }

    @Override
    public boolean completed() {
        return done.isDone();
    }

    public CompletableFuture<Job> done() {
        return done;
    }

    void pushOut() {
        pushedOut = true;
    }

    boolean pushedOut() {
        return pushedOut;
    }

    @Override
    public void addTo(ArrayNode list, ObjectMapper mapper) {
        list.add(toJson(mapper, 0));
    }

    @Override
    public List<String> agentIds(ObjectMapper mapper) {
        return List.copyOf(runs.keySet());
    }

    @Override
    public String runState(String agentId, ObjectMapper mapper) {
        CommandRun run = runs.get(agentId);
        return run == null ? null : run.state();
    }

    @Override
    public byte[] output(String agentId, String stream, ObjectMapper mapper) {
        CommandRun run = runs.get(agentId);
        return run == null ? new byte[0] : run.output(stream);
    }

    @Override
    public ObjectNode toJson(ObjectMapper mapper, int inlineBytes) {
        ObjectNode json = mapper.createObjectNode();
        json.put("job_id", id);
        json.put("state", completed() ? COMPLETED : RUNNING);
        json.put("node", node);
        json.put("created_at", createdAt.toString());
        Instant finished = finishedAt;
        if (finished != null) {
            json.put("finished_at", finished.toString());
        }
        spec.writeTo(json.putObject("command"));
        json.set("target", target);
        Map<String, Integer> counts = new TreeMap<>();
        ArrayNode results = json.putArray("results");
        int lost = 0;
        for (CommandRun run : runs.values()) {
            CommandRun.Snapshot s = run.snapshot();
            counts.merge(s.state(), 1, Integer::sum);
            ObjectNode r = results.addObject();
            r.put("agent_id", s.agentId());
            r.put("command_id", s.commandId());
            r.put("state", s.state());
            if (s.exitCode() != null) {
                r.put("exit_code", s.exitCode());
            } else {
                r.putNull("exit_code");
            }
            r.put("duration_ms", s.durationMs());
            r.put("output_bytes", s.outputBytes());
            r.put("truncated", s.truncated());
            if (s.outputLostBytes() > 0) {
                r.put("output_lost_bytes", s.outputLostBytes());
                lost++;
            }
            if (s.error() != null) {
                r.put("error", s.error());
            }
            if (s.startedAt() != null) {
                r.put("started_at", s.startedAt().toString());
            }
            if (s.finishedAt() != null) {
                r.put("finished_at", s.finishedAt().toString());
            }
            if (inlineBytes > 0 && s.keptBytes() <= inlineBytes) {
                RunOutput output = run.keptOutput();
                r.put("stdout", new String(output.output("stdout"), StandardCharsets.UTF_8));
                r.put("stderr", new String(output.output("stderr"), StandardCharsets.UTF_8));
            }
        }
        ObjectNode summary = json.putObject("summary");
        summary.put("total", runs.size());
        counts.forEach(summary::put);
        if (lost > 0) {
            summary.put("output_lost", lost);
        }
        return json;
    }

    @Override
    public String toString() {
        return "Job[" + id + ", " + runs.size() + " agents, " + Arrays.toString(new String[] {spec.commandLine()}) + "]";
    }
}
