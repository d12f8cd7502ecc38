package org.homeconsole.clientmanager.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A job as this node keeps it in memory for REST: the live {@link Job} while any of its runs is open, then a
 * {@link FinishedJob}, the same answers from a compact record. Both answer with the same JSON.
 */
public sealed interface KeptJob permits Job, FinishedJob {

    String id();

    boolean completed();

    /**
     * The job as JSON: request, summary and per-agent results. With {@code inlineBytes > 0}, each result
     * also carries its kept stdout and stderr as text when they are at most that long.
     */
    ObjectNode toJson(ObjectMapper mapper, int inlineBytes);

    /** Appends the job as {@link #toJson toJson(mapper, 0)} would render it. */
    void addTo(ArrayNode list, ObjectMapper mapper);

    /** The agents the job was sent to, in the order of its results. */
    List<String> agentIds(ObjectMapper mapper);

    /** The state of the job's run on {@code agentId}; null when the job has no run there. */
    String runState(String agentId, ObjectMapper mapper);

    /**
     * The kept output of the run on {@code agentId} (which must be one of {@link #agentIds}): one stream
     * ({@code stdout}/{@code stderr}), or both interleaved as they came when {@code stream} is null.
     */
    byte[] output(String agentId, String stream, ObjectMapper mapper);
}
