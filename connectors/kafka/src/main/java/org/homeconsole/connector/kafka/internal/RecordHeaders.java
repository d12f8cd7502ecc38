package org.homeconsole.connector.kafka.internal;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Reading and writing string-valued record headers. */
public final class RecordHeaders {

    private RecordHeaders() {
    }

    /** The last value of a header as UTF-8, or {@code null} when absent. */
    public static String get(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : text(header);
    }

    /** A header's value as UTF-8, or {@code null} when it has none. */
    public static String text(Header header) {
        return header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Adds a header unless the value is {@code null}. */
    public static void put(Headers headers, String name, String value) {
        if (value != null) {
            headers.remove(name);
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
