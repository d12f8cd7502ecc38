package org.homeconsole.clientmanager.jobs;

import java.io.ByteArrayOutputStream;

/**
 * The output one run kept, as its chunks came: the chunk arrays themselves (not copied) and which of them
 * were stderr. Immutable; what a {@link FinishedJob} holds of a run's output.
 *
 * @param keptBytes    bytes the run kept when it ended (decides whether REST shows the output inline), also
 *                     after the output itself was let go
 * @param chunks       the kept chunks in arrival order; empty once let go
 * @param stderrChunks bit {@code i} set when chunk {@code i} is stderr; null when every chunk is stdout
 */
record RunOutput(long keptBytes, byte[][] chunks, long[] stderrChunks) {

    private static final byte[][] NO_CHUNKS = new byte[0][];
    /** A run that kept no output. */
    static final RunOutput NONE = new RunOutput(0, NO_CHUNKS, null);

    boolean isStderr(int chunk) {
        return stderrChunks != null && (stderrChunks[chunk >>> 6] & 1L << chunk) != 0;
    }

    /** One stream ({@code stdout}/{@code stderr}), or both interleaved as they came when {@code stream} is null. */
    byte[] output(String stream) {
        long size = 0;
        for (byte[] chunk : chunks) {
            size += chunk.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size, Integer.MAX_VALUE - 8));
        for (int i = 0; i < chunks.length; i++) {
            if (stream == null || "stderr".equals(stream) == isStderr(i)) {
                out.writeBytes(chunks[i]);
            }
        }
        return out.toByteArray();
    }

    /** Bytes of output held now (0 once let go). */
    long heldBytes() {
        long size = 0;
        for (byte[] chunk : chunks) {
            size += chunk.length;
        }
        return size;
    }

    /** The same run without its output (its {@link #keptBytes} stay: the inline rule still applies). */
    RunOutput withoutOutput() {
        return chunks.length == 0 ? this : new RunOutput(keptBytes, NO_CHUNKS, null);
    }
}
