package org.homeconsole.connector.kafka.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.homeconsole.api.events.Event;

/**
 * {@link Event} to and from Kafka records in the CloudEvents Kafka protocol binding.
 *
 * <p>Writes binary mode: key = event key, value = data as JSON, attributes as {@code ce_*}
 * headers. Reads binary mode and structured mode (the whole event as a JSON object in the value),
 * so that events written by any Kafka client, a console producer included, are understood.
 *
 * <p>Built for the bus's hot paths: published data goes to JSON bytes in one pass; a binary-mode
 * record's headers are read in one pass, repeated values (type, source) without a new string, the
 * time without {@code DateTimeFormatter}; and its value becomes a {@link JsonNode} only when first
 * asked for with {@link Event#data()} (by the bus's consumer thread when several subscriptions get the event).
 */
public final class CloudEventCodec {

    public static final String SPEC_VERSION = "1.0";
    public static final String CE_SPECVERSION = "ce_specversion";
    public static final String CE_ID = "ce_id";
    public static final String CE_TYPE = "ce_type";
    public static final String CE_SOURCE = "ce_source";
    public static final String CE_TIME = "ce_time";
    public static final String CE_CORRELATIONID = "ce_correlationid";
    public static final String CONTENT_TYPE = "content-type";
    public static final String JSON = "application/json";
    public static final String STRUCTURED_JSON = "application/cloudevents+json";

    private static final byte[] JSON_BYTES = JSON.getBytes(StandardCharsets.UTF_8);
    private static final byte[] CE_ID_BYTES = utf8(CE_ID);
    private static final byte[] CE_TYPE_BYTES = utf8(CE_TYPE);
    private static final byte[] CE_TIME_BYTES = utf8(CE_TIME);
    private static final byte[] CE_SOURCE_BYTES = utf8(CE_SOURCE);
    private static final byte[] CONTENT_TYPE_BYTES = utf8(CONTENT_TYPE);
    private static final byte[] CE_CORRELATIONID_BYTES = utf8(CE_CORRELATIONID);
    private static final Header SPECVERSION_HEADER = new RecordHeader(CE_SPECVERSION, SPEC_VERSION.getBytes(StandardCharsets.UTF_8));
    private static final Header CONTENT_TYPE_HEADER = new RecordHeader(CONTENT_TYPE, JSON_BYTES);
    /** indexes of the header attributes read from a binary-mode record */
    private static final int ID = 0;
    private static final int TYPE = 1;
    private static final int SOURCE = 2;
    private static final int TIME = 3;
    private static final int CORRELATIONID = 4;
    private static final int CONTENTTYPE = 5;
    private static final int ATTRIBUTES = 6;
    /** headers of event types and sources: few distinct values, written on every record */
    private static final int MAX_CACHED = 4096;

    private final ObjectMapper mapper;
    /** writes published data as {@code valueToTree} saw it (which never wraps a root name) */
    private final ObjectWriter dataWriter;
    private final Map<String, Header> typeHeaders = new ConcurrentHashMap<>();
    private final Map<String, Header> sourceHeaders = new ConcurrentHashMap<>();
    private final Utf8Cache decoded = new Utf8Cache();

    public CloudEventCodec(ObjectMapper mapper) {
        this.mapper = mapper;
        this.dataWriter = mapper.writer().without(SerializationFeature.WRAP_ROOT_VALUE);
    }

    /** The outcome of reading a record: an event, why the record is not one, or neither for an unwanted event. */
    public record Decoded(Event event, String error) {
        private static final Decoded UNWANTED = new Decoded(null, null);

        static Decoded ok(Event event) {
            return new Decoded(event, null);
        }

        static Decoded invalid(String error) {
            return new Decoded(null, error);
        }

        /** Whether the record is a binary-mode event of a type the caller did not want, left undecoded. */
        public boolean unwanted() {
            return event == null && error == null;
        }
    }

    /**
     * Published data as the JSON of a record value, in one pass (no intermediate tree).
     *
     * @param data anything the mapper can write; {@code null} is JSON {@code null}
     * @throws IllegalArgumentException when the mapper cannot write it
     */
    public byte[] toJson(Object data) {
        try {
            return dataWriter.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The data of an event published as {@code json} bytes: read back into a tree only when asked for. */
    public Supplier<JsonNode> lazyData(byte[] json) {
        return new LazyData(mapper, json, true);
    }

    /** A binary-mode record for {@code event}. */
    public ProducerRecord<String, byte[]> encode(String topic, Event event) {
        byte[] value;
        try {
            value = mapper.writeValueAsBytes(event.data());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot write the data of event " + event.type() + " as JSON: " + e.getMessage(), e);
        }
        return encode(topic, event, value);
    }

    /** A binary-mode record for {@code event} whose data is already written as {@code value} (JSON). */
    public ProducerRecord<String, byte[]> encode(String topic, Event event, byte[] value) {
        // built in one go: Headers.add/remove scan the list. Headers of constant or repeated values are
        // shared between records (the producer keeps each record's headers until the broker has it)
        Header[] headers = new Header[event.correlationId() == null ? 6 : 7];
        headers[0] = SPECVERSION_HEADER;
        headers[1] = new RecordHeader(CE_ID, utf8(event.id()));
        headers[2] = cached(typeHeaders, CE_TYPE, event.type());
        headers[3] = cached(sourceHeaders, CE_SOURCE, event.source());
        // the same text as Instant.toString(): ISO-8601 in UTC with a 'Z', which is RFC 3339
        headers[4] = new RecordHeader(CE_TIME, Rfc3339.format(event.time()));
        headers[5] = CONTENT_TYPE_HEADER;
        if (event.correlationId() != null) {
            headers[6] = new RecordHeader(CE_CORRELATIONID, utf8(event.correlationId()));
        }
        return new ProducerRecord<>(topic, null, event.key(), value, new org.apache.kafka.common.header.internals.RecordHeaders(headers));
    }

    private static Header cached(Map<String, Header> cache, String key, String value) {
        Header header = cache.get(value);
        if (header == null) {
            header = new RecordHeader(key, utf8(value));
            if (cache.size() < MAX_CACHED) {
                cache.put(value, header);
            }
        }
        return header;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a record in binary or structured mode; never throws. */
    public Decoded decode(ConsumerRecord<String, byte[]> record) {
        return decode(record, type -> true);
    }

    /**
     * Reads a record in binary or structured mode, but stops after the headers of a binary-mode event whose type
     * {@code wanted} refuses: that record comes back {@link Decoded#unwanted()}, without its id, time or event
     * built. A structured-mode record's type is inside its value, so it is always read whole. Never throws but
     * what {@code wanted} throws.
     *
     * @param wanted asked once per binary-mode record with a type that is not blank
     */
    public Decoded decode(ConsumerRecord<String, byte[]> record, Predicate<String> wanted) {
        // one pass over the headers, an array walk (the Headers iterator costs two objects per record); the last
        // of a repeated header wins unless its value is null. Values are copied out of the record only when read:
        // an unwanted event's id, source and time never are
        Header[] attributes = new Header[ATTRIBUTES];
        for (Header header : record.headers().toArray()) {
            int attribute = attribute(header);
            if (attribute >= 0 && (attributes[attribute] == null || ConsumedHeaders.hasValue(header))) {
                attributes[attribute] = header;
            }
        }
        byte[] type = value(attributes[TYPE]);
        byte[] contentType = value(attributes[CONTENTTYPE]);
        // the platform's own records say exactly application/json: no string needed to know it
        String mediaType = contentType == null || Arrays.equals(contentType, JSON_BYTES) ? null
                : mediaType(new String(contentType, StandardCharsets.UTF_8));
        if (mediaType != null && mediaType.startsWith("application/cloudevents")) {
            if (!mediaType.equals(STRUCTURED_JSON)) {
                return Decoded.invalid("unsupported CloudEvents content type " + mediaType);
            }
            return decodeStructured(record, readTree(record.value()));
        }
        if (type != null) {
            String typeText = decoded.text(type);
            if (!typeText.isBlank() && !wanted.test(typeText)) {
                return Decoded.UNWANTED;
            }
            byte[] source = value(attributes[SOURCE]);
            byte[] time = value(attributes[TIME]);
            boolean json = contentType == null || mediaType == null || mediaType.contains("json");
            return event(record, text(value(attributes[ID])), typeText, source == null ? null : decoded.text(source),
                    time == null ? null : parseTime(time), record.key(), text(value(attributes[CORRELATIONID])),
                    binaryData(record.value(), json));
        }
        JsonNode value = readTree(record.value());
        if (value != null && value.path("specversion").isTextual() && value.path("type").isTextual()) {
            return decodeStructured(record, value);
        }
        return Decoded.invalid("not a CloudEvent: no " + CE_TYPE + " header (binary mode) and no JSON value with "
                + "specversion and type (structured mode)");
    }

    private Decoded decodeStructured(ConsumerRecord<String, byte[]> record, JsonNode json) {
        if (json == null || !json.isObject()) {
            return Decoded.invalid("structured CloudEvent whose value is not a JSON object");
        }
        JsonNode data = json.get("data");
        if (data == null && json.path("data_base64").isTextual()) {
            try {
                data = BinaryNode.valueOf(Base64.getDecoder().decode(json.get("data_base64").asText()));
            } catch (IllegalArgumentException e) {
                return Decoded.invalid("structured CloudEvent with invalid data_base64");
            }
        }
        String key = record.key() != null ? record.key() : text(json, "partitionkey");
        String time = text(json, "time");
        return event(record, text(json, "id"), text(json, "type"), text(json, "source"), time == null ? null : parseTime(time),
                key, text(json, "correlationid"), data == null ? NullNode.getInstance() : data);
    }

    /** @param data a {@link JsonNode}, or a {@code Supplier<JsonNode>} that makes it on first use */
    private Decoded event(ConsumerRecord<String, byte[]> record, String id, String type, String source, Instant time,
            String key, String correlationId, Object data) {
        if (type == null || type.isBlank()) {
            return Decoded.invalid("CloudEvent without a type");
        }
        // lenient about the other required attributes so that hand-written records still get through;
        // the fallback id is stable, so a redelivered record keeps its id
        String eventId = id != null ? id : record.topic() + "-" + record.partition() + "-" + record.offset();
        String eventSource = source != null ? source : "/kafka/" + record.topic();
        Instant eventTime = time != null ? time : fallbackTime(record.timestamp());
        if (data instanceof LazyData lazy) {
            return Decoded.ok(Event.withLazyData(eventId, type, eventSource, eventTime, key, correlationId, lazy));
        }
        return Decoded.ok(new Event(eventId, type, eventSource, eventTime, key, correlationId, (JsonNode) data));
    }

    /** A binary-mode value: JSON when the content type says so (or says nothing) and it parses, else text. */
    private Object binaryData(byte[] value, boolean json) {
        if (value == null || value.length == 0) {
            return NullNode.getInstance();
        }
        return new LazyData(mapper, value, json);
    }

    private JsonNode readTree(byte[] value) {
        return readTree(mapper, value);
    }

    private static JsonNode readTree(ObjectMapper mapper, byte[] value) {
        if (value == null || value.length == 0) {
            return null;
        }
        try {
            return mapper.readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    /** Which attribute a header holds, or -1; from the key's bytes where {@link ConsumedHeaders} can read them. */
    private static int attribute(Header header) {
        ByteBuffer key = ConsumedHeaders.keyBytes(header);
        if (key == null) {
            return attribute(header.key());
        }
        return switch (key.remaining()) {
            case 5 -> ConsumedHeaders.is(key, CE_ID_BYTES) ? ID : -1;
            case 7 -> ConsumedHeaders.is(key, CE_TYPE_BYTES) ? TYPE : ConsumedHeaders.is(key, CE_TIME_BYTES) ? TIME : -1;
            case 9 -> ConsumedHeaders.is(key, CE_SOURCE_BYTES) ? SOURCE : -1;
            case 12 -> ConsumedHeaders.is(key, CONTENT_TYPE_BYTES) ? CONTENTTYPE : -1;
            case 16 -> ConsumedHeaders.is(key, CE_CORRELATIONID_BYTES) ? CORRELATIONID : -1;
            default -> -1;
        };
    }

    /** Which attribute a header key names, or -1; by length first, as a string switch would hash every new key. */
    private static int attribute(String key) {
        return switch (key.length()) {
            case 5 -> key.equals(CE_ID) ? ID : -1;
            case 7 -> key.equals(CE_TYPE) ? TYPE : key.equals(CE_TIME) ? TIME : -1;
            case 9 -> key.equals(CE_SOURCE) ? SOURCE : -1;
            case 12 -> key.equals(CONTENT_TYPE) ? CONTENTTYPE : -1;
            case 16 -> key.equals(CE_CORRELATIONID) ? CORRELATIONID : -1;
            default -> -1;
        };
    }

    private static byte[] value(Header header) {
        return header == null ? null : ConsumedHeaders.value(header);
    }

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** {@code null} when it is not RFC 3339 (the record's timestamp is taken instead). */
    private static Instant parseTime(byte[] time) {
        try {
            return Rfc3339.parse(time);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static Instant parseTime(String time) {
        try {
            return Rfc3339.parse(time);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static Instant fallbackTime(long epochMillis) {
        return epochMillis >= 0 ? Instant.ofEpochMilli(epochMillis) : Instant.now();
    }

    /**
     * A record value turned into the event's data on first use (see {@link Event#withLazyData}): JSON
     * when {@code json} and it parses, else the text. Runs at most once per event, on the thread that first
     * reads the data: for a consumed event, the bus's consumer thread ahead of its subscriptions.
     */
    private static final class LazyData implements Supplier<JsonNode> {
        private final ObjectMapper mapper;
        private final byte[] value;
        private final boolean json;

        LazyData(ObjectMapper mapper, byte[] value, boolean json) {
            this.mapper = mapper;
            this.value = value;
            this.json = json;
        }

        @Override
        public JsonNode get() {
            if (value.length == 0) {
                return NullNode.getInstance();
            }
            if (json) {
                JsonNode tree = readTree(mapper, value);
                if (tree != null) {
                    return tree;
                }
            }
            return TextNode.valueOf(new String(value, StandardCharsets.UTF_8));
        }
    }
}
