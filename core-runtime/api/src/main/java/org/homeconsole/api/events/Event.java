package org.homeconsole.api.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One event on the bus, in the shape of a CloudEvent (specversion 1.0).
 *
 * <p>On Kafka an event travels in the CloudEvents Kafka protocol binding, binary mode: the record
 * value is {@link #data()} as JSON, the attributes are {@code ce_*} headers and {@link #key()} is
 * the record key (CloudEvents' {@code partitionkey}). Events with the same key keep their order.
 * The envelope is described by {@code schemas/events/cloudevent.schema.json}.
 *
 * <p>Immutable value: two events are equal when all their attributes and their data are equal.
 * The data may be produced lazily ({@link #withLazyData}): an event bus reads the envelope of every
 * record but turns the payload into a {@link JsonNode} only when first asked for it (by a subscriber, or
 * by the bus itself ahead of several), once for all the subscribers that share the event. Instances are safe to share between threads.
 * The data node itself is shared too: handlers must not modify it.
 */
public final class Event {

    private final String id;
    private final String type;
    private final String source;
    private final Instant time;
    private final String key;
    private final String correlationId;
    /** the data once known; written once, under this object's lock when it comes from {@link #loader} */
    private volatile JsonNode data;
    /** produces the data on first use; {@code null} once it has (guarded by {@code this}) */
    private Supplier<? extends JsonNode> loader;

    /**
     * @param id unique id of this event (CloudEvents {@code id})
     * @param type dotted event type, e.g. {@code device.state_changed}
     * @param source who published it, e.g. {@code /homeconsole/core-1/plugins/devices}
     * @param time when it was published
     * @param key partition key that orders events (e.g. a device id); may be {@code null}
     * @param correlationId id shared by events of one conversation; may be {@code null}
     * @param data the payload as JSON; never {@code null} ({@code NullNode} when empty)
     */
    public Event(String id, String type, String source, Instant time, String key, String correlationId, JsonNode data) {
        this(id, type, source, time, key, correlationId, Objects.requireNonNull(data, "data"), null);
    }

    private Event(String id, String type, String source, Instant time, String key, String correlationId, JsonNode data,
            Supplier<? extends JsonNode> loader) {
        this.id = Objects.requireNonNull(id, "id");
        this.type = Objects.requireNonNull(type, "type");
        this.source = Objects.requireNonNull(source, "source");
        this.time = Objects.requireNonNull(time, "time");
        this.key = key;
        this.correlationId = correlationId;
        this.data = data;
        this.loader = loader;
    }

    /** A new event with a new id (unique, see {@link #newId()}) and the current time. */
    public static Event of(String type, String source, String key, String correlationId, JsonNode data) {
        return new Event(newId(), type, source, Instant.now(), key, correlationId, data);
    }

    /**
     * An event whose data is made by {@code data} the first time {@link #data()} is called, by
     * whichever thread calls it first; every later call, on any thread, gets that same node. For an
     * event bus that reads the envelope of every record but decodes a payload only when a subscriber
     * wants it.
     *
     * @param data called at most once when it succeeds (again after it threw); must not return {@code null}
     */
    public static Event withLazyData(String id, String type, String source, Instant time, String key, String correlationId,
            Supplier<? extends JsonNode> data) {
        return new Event(id, type, source, time, key, correlationId, null, Objects.requireNonNull(data, "data"));
    }

    /** A new event with a new id, the current time and lazily made data; see {@link #withLazyData}. */
    public static Event withLazyData(String type, String source, String key, String correlationId, Supplier<? extends JsonNode> data) {
        return withLazyData(newId(), type, source, Instant.now(), key, correlationId, data);
    }

    /** Unique id of this event (CloudEvents {@code id}). */
    public String id() {
        return id;
    }

    /** Dotted event type, e.g. {@code device.state_changed}. */
    public String type() {
        return type;
    }

    /** Who published it, e.g. {@code /homeconsole/core-1/plugins/devices}. */
    public String source() {
        return source;
    }

    /** When it was published. */
    public Instant time() {
        return time;
    }

    /** Partition key that orders events (e.g. a device id); may be {@code null}. */
    public String key() {
        return key;
    }

    /** Id shared by events of one conversation; may be {@code null}. */
    public String correlationId() {
        return correlationId;
    }

    /**
     * The payload as JSON; never {@code null} ({@code NullNode} when empty).
     *
     * @throws RuntimeException what a lazy data supplier threw (see {@link #withLazyData})
     */
    public JsonNode data() {
        JsonNode known = data;
        return known != null ? known : load();
    }

    private synchronized JsonNode load() {
        JsonNode known = data;
        if (known == null) {
            known = Objects.requireNonNull(loader.get(), "lazy event data");
            data = known;
            loader = null;
        }
        return known;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof Event other
                && id.equals(other.id)
                && type.equals(other.type)
                && source.equals(other.source)
                && time.equals(other.time)
                && Objects.equals(key, other.key)
                && Objects.equals(correlationId, other.correlationId)
                && data().equals(other.data());
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, type, source, time, key, correlationId, data());
    }

    @Override
    public String toString() {
        return "Event[id=" + id + ", type=" + type + ", source=" + source + ", time=" + time + ", key=" + key
                + ", correlationId=" + correlationId + ", data=" + data() + "]";
    }

    /**
     * The id of a new event: {@link #ID_PREFIX}, drawn once per JVM, and the next value of a counter, e.g.
     * {@code 7q0m3fk2v9b1c-1f}. As unique as a random UUID in practice (two JVMs draw the same 64-bit prefix with a
     * chance of 2^-64; the counter cannot repeat within one), but cheaper to make, and shorter and compressible
     * where it counts: most of it repeats from one event to the next, while a random UUID was half the bytes of an
     * LZ4-compressed platform event on the broker (docs/benchmarks.md, "Compact event ids").
     */
    private static String newId() {
        return ID_PREFIX + Long.toString(ID_COUNTER.getAndIncrement(), 32);
    }

    /** 64 random bits in base 32 ({@code 0-9a-v}) and a {@code -}, which no base-32 digit is: no id can read as another. */
    private static final String ID_PREFIX = Long.toUnsignedString(new SecureRandom().nextLong(), 32) + "-";
    private static final AtomicLong ID_COUNTER = new AtomicLong();
}
