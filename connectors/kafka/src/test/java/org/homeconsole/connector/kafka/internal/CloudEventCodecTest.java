package org.homeconsole.connector.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.homeconsole.api.events.Event;
import org.junit.jupiter.api.Test;

class CloudEventCodecTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final CloudEventCodec codec = new CloudEventCodec(mapper);

    @Test
    void shouldWriteBinaryModeWithCloudEventHeaders() {
        // given
        Event event = new Event("id-1", "device.added", "/test", Instant.parse("2026-03-04T05:06:07.123Z"), "lamp", "corr-1",
                mapper.createObjectNode().put("name", "Lamp"));

        // when
        ProducerRecord<String, byte[]> record = codec.encode("events", event);

        // then
        assertThat(record.key()).isEqualTo("lamp");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"Lamp\"}");
        assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(record, "ce_id")).isEqualTo("id-1");
        assertThat(header(record, "ce_type")).isEqualTo("device.added");
        assertThat(header(record, "ce_source")).isEqualTo("/test");
        assertThat(header(record, "ce_time")).isEqualTo("2026-03-04T05:06:07.123Z");
        assertThat(header(record, "ce_correlationid")).isEqualTo("corr-1");
        assertThat(header(record, "content-type")).isEqualTo("application/json");
    }

    @Test
    void shouldReadBackWhatItWrites() {
        // given
        Event event = Event.of("device.removed", "/test", null, null, mapper.createArrayNode().add(1).add(2));
        ProducerRecord<String, byte[]> written = codec.encode("events", event);

        // when
        CloudEventCodec.Decoded decoded = codec.decode(consumed(written));

        // then
        assertThat(decoded.error()).isNull();
        assertThat(decoded.event()).isEqualTo(event);
    }

    @Test
    void shouldReadHeadersAsTheConsumerMakesThemLikeAnyOthers() {
        // given: the same record with headers made from strings and with headers that are views of bytes, as
        // Kafka's consumer makes them (read by the codec without key() and value()); a repeated ce_source whose
        // last value is null, and a header no attribute has
        Event event = new Event("id-7", "device.added", "/test", Instant.parse("2026-03-04T05:06:07.123456Z"), "lamp",
                "corr-7", mapper.createObjectNode().put("on", true));
        ProducerRecord<String, byte[]> written = codec.encode("events", event);
        written.headers().add("ce_source", null).add("ce_extension", "x".getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<String, byte[]> fromStrings = consumed(written);
        ConsumerRecord<String, byte[]> fromViews = new ConsumerRecord<>("events", 0, 0L, written.key(), written.value());
        for (Header header : written.headers()) {
            ByteBuffer value = header.value() == null ? null : ByteBuffer.wrap(header.value());
            fromViews.headers().add(new RecordHeader(ByteBuffer.wrap(header.key().getBytes(StandardCharsets.UTF_8)), value));
        }

        // when
        Event fromStringsEvent = codec.decode(fromStrings).event();
        Event fromViewsEvent = codec.decode(fromViews).event();

        // then
        assertThat(fromViewsEvent).isEqualTo(event);
        assertThat(fromStringsEvent).isEqualTo(event);
    }

    @Test
    void shouldReadStructuredModeWithoutHeaders() {
        // given
        String json = "{\"specversion\":\"1.0\",\"id\":\"s-1\",\"type\":\"light.on\",\"source\":\"/cli\","
                + "\"time\":\"2026-01-02T03:04:05+02:00\",\"correlationid\":\"c-9\",\"partitionkey\":\"hall\",\"data\":{\"level\":80}}";
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("events", 0, 7L, null, json.getBytes(StandardCharsets.UTF_8));

        // when
        Event event = codec.decode(record).event();

        // then
        assertThat(event.id()).isEqualTo("s-1");
        assertThat(event.type()).isEqualTo("light.on");
        assertThat(event.source()).isEqualTo("/cli");
        assertThat(event.time()).isEqualTo(Instant.parse("2026-01-02T01:04:05Z"));
        assertThat(event.key()).isEqualTo("hall");
        assertThat(event.correlationId()).isEqualTo("c-9");
        assertThat(event.data().get("level").asInt()).isEqualTo(80);
    }

    @Test
    void shouldReadStructuredModeAnnouncedByContentType() {
        // given
        String json = "{\"specversion\":\"1.0\",\"id\":\"s-2\",\"type\":\"light.off\",\"source\":\"/cli\"}";
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("events", 0, 8L, "hall", json.getBytes(StandardCharsets.UTF_8));
        record.headers().add("content-type", "application/cloudevents+json; charset=UTF-8".getBytes(StandardCharsets.UTF_8));

        // when
        Event event = codec.decode(record).event();

        // then
        assertThat(event.type()).isEqualTo("light.off");
        assertThat(event.key()).isEqualTo("hall");
        assertThat(event.data().isNull()).isTrue();
    }

    @Test
    void shouldRejectRecordWithoutType() {
        // given
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("events", 0, 9L, null, "hello".getBytes(StandardCharsets.UTF_8));

        // when
        CloudEventCodec.Decoded decoded = codec.decode(record);

        // then
        assertThat(decoded.event()).isNull();
        assertThat(decoded.error()).contains("not a CloudEvent");
    }

    @Test
    void shouldFillMissingBinaryAttributesFromTheRecord() {
        // given
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("events", 2, 42L, "k", "plain text".getBytes(StandardCharsets.UTF_8));
        record.headers().add("ce_type", "note.added".getBytes(StandardCharsets.UTF_8));

        // when
        Event event = codec.decode(record).event();

        // then
        assertThat(event.id()).isEqualTo("events-2-42");
        assertThat(event.source()).isEqualTo("/kafka/events");
        assertThat(event.data().asText()).isEqualTo("plain text");
    }

    @Test
    void shouldReadBinaryDataAsJsonOrTextByContentType() {
        // given
        ConsumerRecord<String, byte[]> charset = binary("{\"on\":true}", "application/json; charset=UTF-8");
        ConsumerRecord<String, byte[]> plain = binary("{\"on\":true}", "text/plain");
        ConsumerRecord<String, byte[]> broken = binary("{not json", "application/json");
        ConsumerRecord<String, byte[]> unlabelled = binary("[1,2]", null);

        // when / then
        assertThat(codec.decode(charset).event().data().get("on").asBoolean()).isTrue();
        assertThat(codec.decode(plain).event().data().asText()).isEqualTo("{\"on\":true}");
        assertThat(codec.decode(broken).event().data().asText()).isEqualTo("{not json");
        assertThat(codec.decode(unlabelled).event().data().size()).isEqualTo(2);
    }

    @Test
    void shouldShareOneDecodedDataBetweenReadersOfAnEvent() {
        // given
        Event event = codec.decode(binary("{\"n\":1}", "application/json")).event();

        // when
        JsonNode first = event.data();
        JsonNode second = event.data();

        // then
        assertThat(second).isSameAs(first);
    }

    @Test
    void shouldKeepRepeatedTypesAndSourcesAsOneString() {
        // given
        ConsumerRecord<String, byte[]> one = binary("1", "application/json");
        ConsumerRecord<String, byte[]> two = binary("2", "application/json");

        // when
        Event first = codec.decode(one).event();
        Event second = codec.decode(two).event();

        // then
        assertThat(second.type()).isEqualTo("note.added").isSameAs(first.type());
        assertThat(second.source()).isEqualTo("/test").isSameAs(first.source());
        assertThat(second.time()).isEqualTo(Instant.parse("2026-01-02T03:04:05.5Z"));
    }

    @Test
    void shouldWriteDataGivenAsJsonBytesUnchanged() {
        // given
        Event event = Event.of("device.added", "/test", "lamp", null, mapper.createObjectNode());
        byte[] json = codec.toJson(new java.util.TreeMap<>(java.util.Map.of("b", 2, "a", 1)));

        // when
        ProducerRecord<String, byte[]> record = codec.encode("events", event, json);

        // then
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1,\"b\":2}");
        assertThat(header(record, "ce_type")).isEqualTo("device.added");
        assertThat(codec.lazyData(json).get()).isEqualTo(mapper.createObjectNode().put("a", 1).put("b", 2));
    }

    @Test
    void shouldStopAfterTheHeadersOfAnUnwantedBinaryEvent() {
        // given
        List<String> asked = new ArrayList<>();
        ConsumerRecord<String, byte[]> structured = new ConsumerRecord<>("events", 0, 8L, "hall",
                "{\"specversion\":\"1.0\",\"id\":\"s-3\",\"type\":\"light.off\",\"source\":\"/cli\"}".getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<String, byte[]> blankType = new ConsumerRecord<>("events", 0, 9L, null, "{}".getBytes(StandardCharsets.UTF_8));
        blankType.headers().add("ce_type", " ".getBytes(StandardCharsets.UTF_8));

        // when
        CloudEventCodec.Decoded refused = codec.decode(binary("{\"n\":1}", "application/json"), type -> asked.add(type) && false);
        CloudEventCodec.Decoded accepted = codec.decode(binary("{\"n\":2}", "application/json"), type -> asked.add(type));
        CloudEventCodec.Decoded whole = codec.decode(structured, type -> asked.add(type) && false);
        CloudEventCodec.Decoded invalid = codec.decode(blankType, type -> asked.add(type) && false);

        // then
        assertThat(refused.unwanted()).isTrue();
        assertThat(refused.event()).isNull();
        assertThat(refused.error()).isNull();
        assertThat(accepted.unwanted()).isFalse();
        assertThat(accepted.event().data().get("n").asInt()).isEqualTo(2);
        // a structured event's type is in its value: read whole, not asked about
        assertThat(whole.event().type()).isEqualTo("light.off");
        // a blank type is not a type: the record is refused as before, not skipped
        assertThat(invalid.unwanted()).isFalse();
        assertThat(invalid.error()).contains("without a type");
        assertThat(asked).containsExactly("note.added", "note.added");
    }

    @Test
    void shouldNotReadTheOtherAttributesOfAnUnwantedBinaryEvent() {
        // given: headers that count how often their value is read
        List<String> read = new ArrayList<>();
        ConsumerRecord<String, byte[]> unwanted = counted(binary("{\"n\":1}", "application/json"), read);
        ConsumerRecord<String, byte[]> wanted = counted(binary("{\"n\":2}", "application/json"), read);

        // when
        codec.decode(unwanted, type -> false);
        List<String> readForUnwanted = List.copyOf(read);
        read.clear();
        codec.decode(wanted, type -> true);

        // then: the type and the content type only, against every attribute when the event is built
        assertThat(readForUnwanted).containsExactlyInAnyOrder("ce_type", "content-type");
        assertThat(read).containsExactlyInAnyOrder("ce_type", "content-type", "ce_id", "ce_source", "ce_time");
    }

    /** {@code record} with headers that add their key to {@code read} whenever their value is read. */
    private static ConsumerRecord<String, byte[]> counted(ConsumerRecord<String, byte[]> record, List<String> read) {
        ConsumerRecord<String, byte[]> counted = new ConsumerRecord<>(record.topic(), record.partition(), record.offset(),
                record.key(), record.value());
        for (Header header : record.headers()) {
            counted.headers().add(new Header() {
                @Override
                public String key() {
                    return header.key();
                }

                @Override
                public byte[] value() {
                    read.add(header.key());
                    return header.value();
                }
            });
        }
        return counted;
    }

    private static ConsumerRecord<String, byte[]> binary(String value, String contentType) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("events", 1, 3L, "k", value.getBytes(StandardCharsets.UTF_8));
        record.headers().add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        record.headers().add("ce_id", "b-1".getBytes(StandardCharsets.UTF_8));
        record.headers().add("ce_type", "note.added".getBytes(StandardCharsets.UTF_8));
        record.headers().add("ce_source", "/test".getBytes(StandardCharsets.UTF_8));
        record.headers().add("ce_time", "2026-01-02T03:04:05.5Z".getBytes(StandardCharsets.UTF_8));
        if (contentType != null) {
            record.headers().add("content-type", contentType.getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> written) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(written.topic(), 0, 0L, written.key(), written.value());
        for (Header header : written.headers()) {
            record.headers().add(header);
        }
        return record;
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
