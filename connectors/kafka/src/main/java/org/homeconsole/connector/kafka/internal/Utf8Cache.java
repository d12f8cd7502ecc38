package org.homeconsole.connector.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Header values that repeat on almost every record (event types, sources) turned into the same
 * {@code String} instance each time, instead of a new string per record: no garbage, and a string
 * whose hash code is already computed for the lookups that follow.
 *
 * <p>A small direct-mapped table; a colliding value replaces the older one. Safe for concurrent use:
 * entries are immutable, and a lost race only costs a string.
 */
final class Utf8Cache {

    private static final int SLOTS = 512;
    private static final int MAX_LENGTH = 256;

    private record Entry(byte[] bytes, String text) {
    }

    private final Entry[] entries = new Entry[SLOTS];

    /**
     * A hash of the length and a few bytes from the end and the middle, where dotted types and paths
     * differ; a full {@code Arrays.hashCode} walk cost more than the rest of the lookup. Collisions only
     * cost a string ({@code Arrays.equals} decides).
     */
    private static int slot(byte[] bytes) {
        int n = bytes.length;
        int h = n;
        if (n > 0) {
            h = h * 31 + bytes[n - 1];
            h = h * 31 + bytes[n >> 1];
            h = h * 31 + bytes[n / 3];
            h = h * 31 + bytes[n - 1 - (n >> 2)];
            h = h * 31 + bytes[Math.max(0, n - 2)];
            h = h * 31 + bytes[Math.max(0, n - 3)];
        }
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        h ^= h >>> 16;
        return h & (SLOTS - 1);
    }

    /** {@code bytes} as UTF-8 text; a cached instance when the same bytes were seen before. */
    String text(byte[] bytes) {
        if (bytes.length > MAX_LENGTH) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        int slot = slot(bytes);
        Entry entry = entries[slot];
        if (entry != null && Arrays.equals(entry.bytes, bytes)) {
            return entry.text;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        entries[slot] = new Entry(bytes, text);
        return text;
    }
}
