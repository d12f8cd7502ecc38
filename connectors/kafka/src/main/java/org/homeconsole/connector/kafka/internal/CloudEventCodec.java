package org.homeconsole.connector.kafka.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.homeconsole.api.events.Event;

/**
 * {@link Event} to and from Kafka records in the CloudEvents Kafka protocol binding.
 *
 * <p>Writes binary mode: key = event key, value = data as JSON, attributes as {@code ce_*}
 * headers. Reads binary mode and structured mode (the whole event as a JSON object in the value),
 * so that events written by any Kafka client, a console producer included, are understood.
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

    private static final Header SPECVERSION_HEADER = new RecordHeader(CE_SPECVERSION, SPEC_VERSION.getBytes(StandardCharsets.UTF_8));
    private static final Header CONTENT_TYPE_HEADER = new RecordHeader(CONTENT_TYPE, JSON.getBytes(StandardCharsets.UTF_8));
    /** bytes of event types and sources: few distinct values, written on every record */
    private static final int MAX_CACHED = 4096;

    private final ObjectMapper mapper;
    private final Map<String, byte[]> encoded = new ConcurrentHashMap<>();

    public CloudEventCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The outcome of reading a record: an event, or why the record is not one. */
    public record Decoded(Event event, String error) {
        static Decoded ok(Event event) {
            return new Decoded(event, null);
        }

        static Decoded invalid(String error) {
            return new Decoded(null, error);
        }
    }

    /** A binary-mode record for {@code event}. */
    public ProducerRecord<String, byte[]> encode(String topic, Event event) {
        byte[] value;
        try {
            value = mapper.writeValueAsBytes(event.data());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot write the data of event " + event.type() + " as JSON: " + e.getMessage(), e);
        }
        // built in one go: Headers.add/remove scan the list, and the constant values need no encoding
        Header[] headers = new Header[event.correlationId() == null ? 6 : 7];
        headers[0] = SPECVERSION_HEADER;
        headers[1] = new RecordHeader(CE_ID, utf8(event.id()));
        headers[2] = new RecordHeader(CE_TYPE, cached(event.type()));
        headers[3] = new RecordHeader(CE_SOURCE, cached(event.source()));
        // Instant.toString() is ISO-8601 in UTC with a 'Z', which is RFC 3339
        headers[4] = new RecordHeader(CE_TIME, utf8(event.time().toString()));
        headers[5] = CONTENT_TYPE_HEADER;
        if (event.correlationId() != null) {
            headers[6] = new RecordHeader(CE_CORRELATIONID, utf8(event.correlationId()));
        }
        return new ProducerRecord<>(topic, null, event.key(), value, new org.apache.kafka.common.header.internals.RecordHeaders(headers));
    }

    private byte[] cached(String text) {
        byte[] bytes = encoded.get(text);
        if (bytes == null) {
            bytes = utf8(text);
            if (encoded.size() < MAX_CACHED) {
                encoded.put(text, bytes);
            }
        }
        return bytes;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a record in binary or structured mode; never throws. */
    public Decoded decode(ConsumerRecord<String, byte[]> record) {
        // one pass over the headers instead of a lastHeader() scan per attribute
        String id = null;
        String type = null;
        String source = null;
        String time = null;
        String correlationId = null;
        String contentType = null;
        for (Header header : record.headers()) {
            if (header.value() == null) {
                continue;
            }
            switch (header.key()) {
                case CE_ID -> id = RecordHeaders.text(header);
                case CE_TYPE -> type = RecordHeaders.text(header);
                case CE_SOURCE -> source = RecordHeaders.text(header);
                case CE_TIME -> time = RecordHeaders.text(header);
                case CE_CORRELATIONID -> correlationId = RecordHeaders.text(header);
                case CONTENT_TYPE -> contentType = mediaType(RecordHeaders.text(header));
                default -> {
                }
            }
        }
        if (contentType != null && contentType.startsWith("application/cloudevents")) {
            if (!contentType.equals(STRUCTURED_JSON)) {
                return Decoded.invalid("unsupported CloudEvents content type " + contentType);
            }
            return decodeStructured(record, readTree(record.value()));
        }
        if (type != null) {
            return event(record, id, type, source, time, record.key(), correlationId, binaryData(record.value(), contentType));
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
        return event(record, text(json, "id"), text(json, "type"), text(json, "source"), text(json, "time"),
                key, text(json, "correlationid"), data == null ? NullNode.getInstance() : data);
    }

    private Decoded event(ConsumerRecord<String, byte[]> record, String id, String type, String source, String time,
            String key, String correlationId, JsonNode data) {
        if (type == null || type.isBlank()) {
            return Decoded.invalid("CloudEvent without a type");
        }
        // lenient about the other required attributes so that hand-written records still get through;
        // the fallback id is stable, so a redelivered record keeps its id
        String eventId = id != null ? id : record.topic() + "-" + record.partition() + "-" + record.offset();
        String eventSource = source != null ? source : "/kafka/" + record.topic();
        Instant eventTime = parseTime(time, record.timestamp());
        return Decoded.ok(new Event(eventId, type, eventSource, eventTime, key, correlationId, data));
    }

    private JsonNode binaryData(byte[] value, String contentType) {
        if (value == null || value.length == 0) {
            return NullNode.getInstance();
        }
        if (contentType == null || contentType.contains("json")) {
            JsonNode json = readTree(value);
            if (json != null) {
                return json;
            }
        }
        return TextNode.valueOf(new String(value, StandardCharsets.UTF_8));
    }

    private JsonNode readTree(byte[] value) {
        if (value == null || value.length == 0) {
            return null;
        }
        try {
            return mapper.readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static Instant parseTime(String time, long fallbackEpochMillis) {
        if (time != null) {
            try {
                // the platform writes UTC with 'Z' (Instant.toString), which Instant.parse reads quickly
                return time.endsWith("Z") ? Instant.parse(time) : OffsetDateTime.parse(time).toInstant();
            } catch (DateTimeParseException e) {
                // fall back to the record's timestamp below
            }
        }
        return fallbackEpochMillis >= 0 ? Instant.ofEpochMilli(fallbackEpochMillis) : Instant.now();
    }
}
