package org.homeconsole.bench;

import java.nio.charset.StandardCharsets;

/**
 * The data every benchmark event carries: about 100 bytes of JSON holding a sequence number and the
 * time the event was meant to be sent, so that a receiver can measure latency from that time. Public for the
 * microbenchmarks ({@code org.homeconsole.bench.jmh}), which read the same events.
 */
public final class Payload {

    public static final String TYPE = "bench.reading";
    /**
     * Origin of every {@code t} field. {@code System.nanoTime()} is only comparable inside one JVM,
     * which is why the sender and the receivers of this benchmark share one.
     */
    static final long ORIGIN = System.nanoTime();

    private static final int DEVICES = 64;
    private static final String[] KEYS = new String[DEVICES];
    // pads the JSON to ~100 bytes with sequence numbers of 5-6 digits and t of 10-11 digits
    private static final String NOTE = "kitchen-sensor-padding-x";
    private static final byte[] T_FIELD = "\"t\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEQ_FIELD = "\"seq\":".getBytes(StandardCharsets.US_ASCII);

    static {
        for (int i = 0; i < DEVICES; i++) {
            KEYS[i] = String.format("lamp-%03d", i);
        }
    }

    /** What a plugin would publish: a small record Jackson turns into JSON. */
    public record Reading(long seq, long t, String device, String state, String note) {
    }

    private Payload() {
    }

    /** The record key: 64 devices, so that events spread over every partition and keep per-device order. */
    public static String key(long seq) {
        return KEYS[(int) (seq % DEVICES)];
    }

    /** @param intendedNanos {@code System.nanoTime()} at which the event is meant to be sent */
    public static Reading reading(long seq, long intendedNanos) {
        return new Reading(seq, intendedNanos - ORIGIN, key(seq), (seq & 1) == 0 ? "on" : "off", NOTE);
    }

    /** {@code t} of a raw record's JSON value, without a JSON parser (the raw baseline stays minimal). */
    static long t(byte[] json) {
        return longAfter(json, T_FIELD);
    }

    static long seq(byte[] json) {
        return longAfter(json, SEQ_FIELD);
    }

    private static long longAfter(byte[] json, byte[] field) {
        int at = indexOf(json, field);
        if (at < 0) {
            throw new IllegalArgumentException("no " + new String(field, StandardCharsets.US_ASCII) + " in the payload");
        }
        long value = 0;
        for (int i = at + field.length; i < json.length && json[i] >= '0' && json[i] <= '9'; i++) {
            value = value * 10 + (json[i] - '0');
        }
        return value;
    }

    private static int indexOf(byte[] json, byte[] field) {
        outer:
        for (int i = 0; i + field.length <= json.length; i++) {
            for (int j = 0; j < field.length; j++) {
                if (json[i + j] != field[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
