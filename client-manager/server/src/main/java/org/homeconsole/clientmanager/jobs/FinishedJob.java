package org.homeconsole.clientmanager.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A job that has ended, as the node keeps it among its recent jobs: a record of bytes, the job's JSON (what
 * {@link Job#toJson toJson(mapper, 0)} gave when it ended) followed by its runs' output when that is small,
 * written into a shared slab ({@link RecordSlabs}); larger output stays apart as the runs' chunks. It answers
 * REST with the same JSON as the live job did.
 *
 * <p>Why: thousands of recent jobs are kept, and every young collection copies what is still young. The live
 * job is a graph of dozens of objects (runs, request, target, future, timestamps, chunk lists); this record
 * is one small object pointing into an array that young collections do not copy.
 */
public final class FinishedJob implements KeptJob {

    /** Jobs that kept at most this many bytes of output carry it in their record. */
    static final int OUTPUT_IN_RECORD = 4096;
    /** What a kept record costs beside its bytes (this object, the map entry, the id), roughly. */
    private static final int OVERHEAD_BYTES = 160;

    private final String id;
    private final byte[] array;
    private final int offset;
    private final int jsonLength;
    private final int outputLength;
    /** Output kept apart from the record, per result; null when it is in the record. Replaced when let go. */
    private volatile RunOutput[] apart;

    /**
     * An ended job's record before it is placed: its bytes and the output kept apart. Built outside any lock.
     *
     * @param bytes      the JSON (UTF-8), then the runs' output when it is in the record
     * @param jsonLength how many of {@code bytes} are JSON
     * @param apart      output kept apart from the record, per result; null when in the record
     */
    record Draft(String id, byte[] bytes, int jsonLength, RunOutput[] apart) {
    }

    private FinishedJob(String id, byte[] array, int offset, int jsonLength, int outputLength, RunOutput[] apart) {
        this.id = id;
        this.array = array;
        this.offset = offset;
        this.jsonLength = jsonLength;
        this.outputLength = outputLength;
        this.apart = apart;
    }

    /**
     * The record of an ended job.
     *
     * @param json the job's {@link Job#toJson toJson(mapper, 0)}, taken after it ended
     */
    static Draft draft(Job job, JsonNode json, ObjectMapper mapper) {
        RunOutput[] outputs = new RunOutput[job.runs().size()];
        long kept = 0;
        int i = 0;
        for (CommandRun run : job.runs()) {
            outputs[i] = run.keptOutput();
            kept += outputs[i].heldBytes();
            i++;
        }
        byte[] text;
        try {
            text = mapper.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write job " + job.id() + " as JSON", e);
        }
        if (kept > OUTPUT_IN_RECORD) {
            return new Draft(job.id(), text, text.length, outputs);
        }
        int size = text.length;
        for (RunOutput output : outputs) {
            size += 8 + 4 * output.chunks().length + (int) output.heldBytes();
        }
        ByteBuffer bytes = ByteBuffer.allocate(size).put(text);
        for (RunOutput output : outputs) {
            byte[][] chunks = output.chunks();
            // at most OUTPUT_IN_RECORD bytes: the counts fit an int
            bytes.putInt((int) output.keptBytes()).putInt(chunks.length);
            for (int c = 0; c < chunks.length; c++) {
                bytes.putInt(chunks[c].length << 1 | (output.isStderr(c) ? 1 : 0)).put(chunks[c]);
            }
        }
        return new Draft(job.id(), bytes.array(), text.length, null);
    }

    /** Writes a draft's bytes into the slabs (the caller holds their lock) and returns the record. */
    static FinishedJob place(Draft draft, RecordSlabs slabs) {
        RecordSlabs.Place place = slabs.place(draft.bytes().length);
        System.arraycopy(draft.bytes(), 0, place.array(), place.offset(), draft.bytes().length);
        return new FinishedJob(draft.id(), place.array(), place.offset(), draft.jsonLength(),
                draft.bytes().length - draft.jsonLength(), draft.apart());
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean completed() {
        return true;
    }

    @Override
    public ObjectNode toJson(ObjectMapper mapper, int inlineBytes) {
        ObjectNode node = (ObjectNode) parse(mapper);
        if (inlineBytes > 0) {
            RunOutput[] kept = outputs();
            JsonNode results = node.path("results");
            for (int i = 0; i < kept.length && i < results.size(); i++) {
                if (kept[i].keptBytes() <= inlineBytes) {
                    ObjectNode result = (ObjectNode) results.get(i);
                    result.put("stdout", new String(kept[i].output("stdout"), StandardCharsets.UTF_8));
                    result.put("stderr", new String(kept[i].output("stderr"), StandardCharsets.UTF_8));
                }
            }
        }
        return node;
    }

    @Override
    public void addTo(ArrayNode list, ObjectMapper mapper) {
        // written as it is, not parsed again
        list.addRawValue(new RawValue(new String(array, offset, jsonLength, StandardCharsets.UTF_8)));
    }

    @Override
    public List<String> agentIds(ObjectMapper mapper) {
        List<String> ids = new ArrayList<>();
        parse(mapper).path("results").forEach(r -> ids.add(r.path("agent_id").asText()));
        return ids;
    }

    @Override
    public String runState(String agentId, ObjectMapper mapper) {
        for (JsonNode result : parse(mapper).path("results")) {
            if (agentId.equals(result.path("agent_id").asText())) {
                return result.path("state").asText();
            }
        }
        return null;
    }

    @Override
    public byte[] output(String agentId, String stream, ObjectMapper mapper) {
        RunOutput[] kept = outputs();
        int i = 0;
        for (JsonNode result : parse(mapper).path("results")) {
            if (agentId.equals(result.path("agent_id").asText())) {
                return i < kept.length ? kept[i].output(stream) : new byte[0];
            }
            i++;
        }
        return new byte[0];
    }

    /** Each run's kept output, in the order of the results. */
    private RunOutput[] outputs() {
        RunOutput[] kept = apart;
        if (kept != null) {
            return kept;
        }
        ByteBuffer bytes = ByteBuffer.wrap(array, offset + jsonLength, outputLength);
        List<RunOutput> runs = new ArrayList<>();
        while (bytes.hasRemaining()) {
            long keptBytes = bytes.getInt();
            int count = bytes.getInt();
            byte[][] chunks = new byte[count][];
            long[] stderr = null;
            for (int c = 0; c < count; c++) {
                int header = bytes.getInt();
                chunks[c] = new byte[header >>> 1];
                bytes.get(chunks[c]);
                if ((header & 1) != 0) {
                    if (stderr == null) {
                        stderr = new long[(count + 63) >>> 6];
                    }
                    stderr[c >>> 6] |= 1L << c;
                }
            }
            runs.add(new RunOutput(keptBytes, chunks, stderr));
        }
        return runs.toArray(new RunOutput[0]);
    }

    /** Bytes of output held apart from the record now. */
    long outputBytes() {
        RunOutput[] kept = apart;
        long total = 0;
        if (kept != null) {
            for (RunOutput output : kept) {
                total += output.heldBytes();
            }
        }
        return total;
    }

    /** Roughly what the record costs (its bytes, in-record output included), for the memory budget of recent jobs. */
    long recordBytes() {
        return jsonLength + outputLength + OVERHEAD_BYTES;
    }

    /**
     * Lets the output held apart go (the record stays: REST shows empty output, {@code /output} answers no
     * bytes); output in the record goes with the record. Returns the bytes freed. Called by one thread at a time.
     */
    long dropOutput() {
        RunOutput[] kept = apart;
        if (kept == null) {
            return 0;
        }
        long freed = 0;
        RunOutput[] without = new RunOutput[kept.length];
        for (int i = 0; i < kept.length; i++) {
            freed += kept[i].heldBytes();
            without[i] = kept[i].withoutOutput();
        }
        apart = without;
        return freed;
    }

    private JsonNode parse(ObjectMapper mapper) {
        try {
            return mapper.readTree(array, offset, jsonLength);
        } catch (IOException e) {
            throw new UncheckedIOException("record of job " + id + " is not JSON", e);
        }
    }

    @Override
    public String toString() {
        return "FinishedJob[" + id + "]";
    }
}
