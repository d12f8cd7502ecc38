package org.homeconsole.api.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One event on the bus, in the shape of a CloudEvent (specversion 1.0).
 *
 * <p>On Kafka an event travels in the CloudEvents Kafka protocol binding, binary mode: the record
 * value is {@link #data()} as JSON, the attributes are {@code ce_*} headers and {@link #key()} is
 * the record key (CloudEvents' {@code partitionkey}). Events with the same key keep their order.
 * The envelope is described by {@code schemas/events/cloudevent.schema.json}.
 *
 * @param id unique id of this event (CloudEvents {@code id})
 * @param type dotted event type, e.g. {@code device.state_changed}
 * @param source who published it, e.g. {@code /homeconsole/core-1/plugins/devices}
 * @param time when it was published
 * @param key partition key that orders events (e.g. a device id); may be {@code null}
 * @param correlationId id shared by events of one conversation; may be {@code null}
 * @param data the payload as JSON; never {@code null} ({@code NullNode} when empty)
 */
public record Event(
        String id, String type, String source, Instant time, String key, String correlationId, JsonNode data) {

    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
    }

    /** A new event with a random (version 4) UUID and the current time. */
    public static Event of(String type, String source, String key, String correlationId, JsonNode data) {
        return new Event(randomId(), type, source, Instant.now(), key, correlationId, data);
    }

    // UUID.randomUUID() draws from one shared SecureRandom, a contended lock on a hot publish path;
    // event ids need uniqueness, not unpredictability
    private static String randomId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long most = (random.nextLong() & ~0xF000L) | 0x4000L;
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }
}
