package org.homeconsole.connector.kafka.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key and value bytes of a consumed record's headers, read without what Kafka's {@link RecordHeader} does on
 * the first {@code key()} and {@code value()}: take the header's lock, make a new {@code String} of the key or a
 * copy of the value, and write both back to volatile fields. The bus's consumer thread looks at six headers of
 * every record; in a profile of the EventBus benchmark those two calls were two thirds of reading the envelope
 * (docs/benchmarks.md, "Header keys read as bytes").
 *
 * <p>A consumed {@code RecordHeader} holds its key and value as views of the record's bytes (private fields
 * {@code keyBuffer} and {@code valueBuffer}) until first asked. They are read here through {@link VarHandle}s;
 * a header whose views are gone (something called {@code key()} or {@code value()} already), a header of another
 * class, or a Kafka whose {@code RecordHeader} has other fields goes through the public methods instead, so the
 * answers are the same either way. {@link #direct()} says whether the fields were found; a test pins it for the
 * Kafka version the build uses.
 *
 * <p>Only for headers made and read on one thread, as the consumer's poll makes them on the thread that reads
 * them: the views are plain fields, and nothing here changes a header or its buffers.
 */
final class ConsumedHeaders {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumedHeaders.class);
    private static final VarHandle KEY_BUFFER;
    private static final VarHandle VALUE_BUFFER;

    static {
        VarHandle key = null;
        VarHandle value = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(RecordHeader.class, MethodHandles.lookup());
            key = lookup.findVarHandle(RecordHeader.class, "keyBuffer", ByteBuffer.class);
            value = lookup.findVarHandle(RecordHeader.class, "valueBuffer", ByteBuffer.class);
            // the fields must mean what this class takes them for
            RecordHeader probe = new RecordHeader(ByteBuffer.wrap(new byte[] {'k'}), ByteBuffer.wrap(new byte[] {'v'}));
            ByteBuffer k = (ByteBuffer) key.get(probe);
            ByteBuffer v = (ByteBuffer) value.get(probe);
            if (k == null || v == null || k.get(k.position()) != 'k' || v.get(v.position()) != 'v') {
                key = null;
                value = null;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            key = null;
            value = null;
        }
        if (key == null) {
            LOG.debug("Kafka's RecordHeader has no key and value views this class can read; headers are read through key() and value()");
        }
        KEY_BUFFER = key;
        VALUE_BUFFER = value;
    }

    private ConsumedHeaders() {
    }

    /** Whether headers are read through their byte views; else every read goes through {@code key()} and {@code value()}. */
    static boolean direct() {
        return KEY_BUFFER != null;
    }

    /**
     * The header's key as a view of its UTF-8 bytes (from {@code position()} to {@code limit()}; read it with
     * absolute gets only), or {@code null} when only {@link Header#key()} can tell.
     */
    static ByteBuffer keyBytes(Header header) {
        if (KEY_BUFFER == null || header.getClass() != RecordHeader.class) {
            return null;
        }
        return (ByteBuffer) KEY_BUFFER.get((RecordHeader) header);
    }

    /** The header's value, a new array when read from its view; {@code null} when the header has none. */
    static byte[] value(Header header) {
        if (VALUE_BUFFER != null && header.getClass() == RecordHeader.class) {
            ByteBuffer view = (ByteBuffer) VALUE_BUFFER.get((RecordHeader) header);
            if (view != null) {
                byte[] value = new byte[view.remaining()];
                view.get(view.position(), value);
                return value;
            }
        }
        return header.value();
    }

    /** Whether the header has a value ({@code null} is none), without copying it out. */
    static boolean hasValue(Header header) {
        if (VALUE_BUFFER != null && header.getClass() == RecordHeader.class && VALUE_BUFFER.get((RecordHeader) header) != null) {
            return true;
        }
        // a consumed header without a view has no value or has made its array already: no lock taken
        return header.value() != null;
    }

    /** Whether {@code key} (a view from {@link #keyBytes}) holds exactly the bytes of {@code name}. */
    static boolean is(ByteBuffer key, byte[] name) {
        int position = key.position();
        if (key.limit() - position != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (key.get(position + i) != name[i]) {
                return false;
            }
        }
        return true;
    }
}
