package org.homeconsole.clientmanager.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One command on one agent, part of a {@link Job}: its state, result and kept output. Guarded by its own
 * monitor; agent messages for it arrive on one event loop, REST reads come from others.
 */
public final class CommandRun {

    /** Not sent yet: the agent is offline and the caller asked to wait for it. */
    public static final String QUEUED = "queued";
    /** Sent to the agent, no result yet. */
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String TIMED_OUT = "timed_out";
    public static final String CANCELLED = "cancelled";
    /** Not run: the command policy refused it. */
    public static final String REFUSED = "refused";
    /** Not run: the agent was not connected. */
    public static final String OFFLINE = "offline";
    /** Queued, and the agent did not come back within the queue TTL. */
    public static final String EXPIRED = "expired";
    /** Sent, but the agent went away (or never answered) before a result. */
    public static final String LOST = "lost";

    private final String commandId;
    private final String agentId;
    private final long maxOutputBytes;
    private String state;
    private Integer exitCode;
    private long durationMs;
    private String error;
    private long outputBytes;
    private boolean truncated;
    private long keptBytes;
    private int nextSeq;
    /** Chunks never received: seq numbers skipped by a gap. */
    private int skippedChunks;
    /** Output the agent reported sending (up to the limit) that never arrived; set when its result comes. */
    private long lostBytes;
    private Instant startedAt;
    private Instant finishedAt;
    private String sessionId;
    /** Kept chunks in arrival order; allocated with the first one. */
    private List<byte[]> chunks;
    /** Bit {@code i} set when chunk {@code i} is stderr; allocated with the first stderr chunk. */
    private long[] stderrChunks;
    /** Chunks that came ahead of their turn (forwarded from another node, calls may overtake each other). */
    private java.util.TreeMap<Integer, Object[]> early;
    /** Where the agent is: null for this node, else the node that forwards its messages. */
    private String node;

    CommandRun(String commandId, String agentId, long maxOutputBytes, String initialState) {
        this.commandId = commandId;
        this.agentId = agentId;
        this.maxOutputBytes = maxOutputBytes;
        this.state = initialState;
    }

    public String commandId() {
        return commandId;
    }

    public String agentId() {
        return agentId;
    }

    public synchronized String state() {
        return state;
    }

    public synchronized boolean terminal() {
        return isTerminal(state);
    }

    static boolean isTerminal(String state) {
        return !QUEUED.equals(state) && !RUNNING.equals(state);
    }

    synchronized void dispatched(String session, Instant at) {
        if (isTerminal(state)) {
            return;
        }
        this.state = RUNNING;
        this.sessionId = session;
        this.startedAt = at;
    }

    /** The send failed: back to queued (unless it ended meanwhile). */
    synchronized void undispatched() {
        if (RUNNING.equals(state)) {
            state = QUEUED;
            startedAt = null;
        }
    }

    synchronized String sessionId() {
        return sessionId;
    }

    synchronized Instant startedAt() {
        return startedAt;
    }

    /** What became of an output chunk given to {@link #append}. */
    public enum Appended {
        /** Taken: it was the next in sequence. */
        IN_ORDER,
        /** Taken, after a gap: the chunks between were never received and count as lost output. */
        AFTER_GAP,
        /** Dropped: a chunk with this seq (or a later one) was already taken. */
        REPEATED,
        /** Dropped: the run has ended. */
        ENDED
    }

    /**
     * Appends a chunk the agent sent on this node's socket. An agent's chunks arrive in order on one socket,
     * so a seq below the next expected is a repeat (dropped) and one above it a gap (taken; the chunks
     * between are lost, and the run says so).
     */
    synchronized Appended append(int seq, boolean stderr, byte[] data) {
        if (isTerminal(state)) {
            return Appended.ENDED;
        }
        if (seq < nextSeq) {
            return Appended.REPEATED;
        }
        Appended how = Appended.IN_ORDER;
        if (seq > nextSeq) {
            skippedChunks += seq - nextSeq;
            nextSeq = seq;
            how = Appended.AFTER_GAP;
        }
        take(stderr, data);
        return how;
    }

    /**
     * Appends a chunk that another node forwarded: chunks may arrive out of order and are put back in
     * order (at most {@code maxEarly} held back); returns an error text for a repeat or an overflow.
     */
    synchronized String appendForwarded(int seq, boolean stderr, byte[] data, int maxEarly) {
        if (isTerminal(state)) {
            return "command " + commandId + " already ended";
        }
        if (seq < nextSeq || early != null && early.containsKey(seq)) {
            return "output seq " + seq + " repeated";
        }
        if (seq > nextSeq) {
            if (early == null) {
                early = new java.util.TreeMap<>();
            }
            if (early.size() >= maxEarly) {
                return "output seq " + seq + ": more than " + maxEarly + " chunks ahead of seq " + nextSeq;
            }
            early.put(seq, new Object[] {stderr, data});
            return null;
        }
        take(stderr, data);
        while (early != null && !early.isEmpty() && early.firstKey() == nextSeq) {
            Object[] next = early.pollFirstEntry().getValue();
            take((Boolean) next[0], (byte[]) next[1]);
        }
        return null;
    }

    /** Chunks received in order so far. */
    synchronized int chunksInOrder() {
        return nextSeq;
    }

    synchronized void node(String holdingNode) {
        this.node = holdingNode;
    }

    synchronized String node() {
        return node;
    }

    private void take(boolean stderr, byte[] data) {
        nextSeq++;
        outputBytes += data.length;
        long room = maxOutputBytes - keptBytes;
        if (room <= 0) {
            truncated = true;
            return;
        }
        byte[] kept = data.length <= room ? data : java.util.Arrays.copyOf(data, (int) room);
        if (kept.length < data.length) {
            truncated = true;
        }
        if (chunks == null) {
            chunks = new ArrayList<>(4);
        }
        int index = chunks.size();
        chunks.add(kept);
        if (stderr) {
            if (stderrChunks == null) {
                stderrChunks = new long[Math.max(1, (index >>> 6) + 1)];
            } else if (stderrChunks.length <= index >>> 6) {
                stderrChunks = java.util.Arrays.copyOf(stderrChunks, Math.max(stderrChunks.length * 2, (index >>> 6) + 1));
            }
            stderrChunks[index >>> 6] |= 1L << index;
        }
        keptBytes += kept.length;
    }

    /** Ends the run; {@code false} when it had already ended (the first end wins). */
    synchronized boolean finish(String endState, Integer exit, long duration, String why, Long reportedBytes,
                                Boolean reportedTruncated, Instant at) {
        if (isTerminal(state)) {
            return false;
        }
        state = endState;
        exitCode = exit;
        durationMs = duration;
        error = why;
        if (reportedBytes != null) {
            // the agent sends at most maxOutputBytes of what the process wrote: whatever of that is missing was lost
            lostBytes = Math.max(0, Math.min(reportedBytes, maxOutputBytes) - outputBytes);
            if (lostBytes == 0 && skippedChunks > 0) {
                lostBytes = skippedChunks; // a gap of unknown size: at least a byte per chunk
            }
        }
        if (reportedBytes != null && reportedBytes > outputBytes) {
            outputBytes = reportedBytes;
        }
        if (Boolean.TRUE.equals(reportedTruncated)) {
            truncated = true;
        }
        finishedAt = at;
        return true;
    }

    /** The kept output: one stream ({@code stdout}/{@code stderr}) or both interleaved as they came. */
    public byte[] output(String stream) {
        return keptOutput().output(stream);
    }

    /** The kept output as it is now: the chunk arrays themselves, not copies (they are never changed). */
    synchronized RunOutput keptOutput() {
        if (chunks == null) {
            return RunOutput.NONE;
        }
        return new RunOutput(keptBytes, chunks.toArray(new byte[0][]),
                stderrChunks == null ? null : stderrChunks.clone());
    }

    /** A consistent snapshot for rendering. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(commandId, agentId, state, exitCode, durationMs, error, outputBytes, truncated, keptBytes,
                startedAt, finishedAt, lostBytes);
    }

    /**
     * A run as REST and events show it.
     *
     * @param outputLostBytes bytes of output the agent reported sending that never arrived (0 when complete)
     */
    public record Snapshot(String commandId, String agentId, String state, Integer exitCode, long durationMs,
                           String error, long outputBytes, boolean truncated, long keptBytes, Instant startedAt,
                           Instant finishedAt, long outputLostBytes) {
    }
}
