package org.homeconsole.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.homeconsole.connector.kafka.PlainKafkaClients.header;
import static org.homeconsole.connector.kafka.PlainKafkaClients.utf8;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.homeconsole.api.events.Event;
import org.homeconsole.testsupport.KafkaSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bus and ordinary Kafka clients understand each other through the documented topic and record format. */
class KafkaEventBusInteropIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ObjectMapper mapper = new ObjectMapper();
    private final Queue<Event> received = new ConcurrentLinkedQueue<>();
    private KafkaEventBusSettings settings;
    private KafkaEventBus bus;

    @BeforeEach
    void startBus() {
        settings = KafkaEventBusSettings.defaults(KafkaSupport.bootstrapServers(), KafkaSupport.uniqueName("node"))
                .withTopics(KafkaSupport.uniqueName("events"), KafkaSupport.uniqueName("events-dlq"))
                .withPartitions(3, (short) -1);
        bus = new KafkaEventBus(settings);
        bus.subscribe("test.all", "*", received::add);
        bus.start();
    }

    @AfterEach
    void closeBus() {
        bus.close();
    }

    @Test
    void shouldDeliverBinaryModeRecordFromPlainProducer() throws Exception {
        // given
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(settings.eventsTopic(), "lamp-1", utf8("{\"on\":true}"));
        record.headers()
                .add("ce_specversion", utf8("1.0"))
                .add("ce_id", utf8("plain-1"))
                .add("ce_type", utf8("device.switched"))
                .add("ce_source", utf8("/test/plain-producer"))
                .add("ce_time", utf8("2026-01-02T03:04:05+01:00"))
                .add("content-type", utf8("application/json"));

        // when
        PlainKafkaClients.send(record);

        // then
        await().atMost(WAIT).untilAsserted(() -> assertThat(received).hasSize(1));
        Event event = received.peek();
        assertThat(event.id()).isEqualTo("plain-1");
        assertThat(event.type()).isEqualTo("device.switched");
        assertThat(event.source()).isEqualTo("/test/plain-producer");
        assertThat(event.time()).isEqualTo(Instant.parse("2026-01-02T02:04:05Z"));
        assertThat(event.key()).isEqualTo("lamp-1");
        assertThat(event.data()).isEqualTo(mapper.readTree("{\"on\":true}"));
    }

    @Test
    void shouldDeliverStructuredModeRecordsFromPlainProducer() throws Exception {
        // given: what a console producer sends (no headers), and the same announced by content-type
        String bare = "{\"specversion\":\"1.0\",\"id\":\"cli-1\",\"type\":\"device.added\",\"source\":\"/cli\",\"data\":{\"name\":\"lamp\"}}";
        String announced = "{\"specversion\":\"1.0\",\"id\":\"cli-2\",\"type\":\"device.removed\",\"source\":\"/cli\",\"data\":{\"name\":\"fan\"}}";
        ProducerRecord<String, byte[]> withHeader = new ProducerRecord<>(settings.eventsTopic(), "fan", utf8(announced));
        withHeader.headers().add("content-type", utf8("application/cloudevents+json"));

        // when
        PlainKafkaClients.send(new ProducerRecord<>(settings.eventsTopic(), null, utf8(bare)));
        PlainKafkaClients.send(withHeader);

        // then
        await().atMost(WAIT).untilAsserted(() -> assertThat(received).extracting(Event::id)
                .containsExactlyInAnyOrder("cli-1", "cli-2"));
        assertThat(received).filteredOn(e -> e.id().equals("cli-1")).singleElement()
                .satisfies(e -> assertThat(e.data().get("name").asText()).isEqualTo("lamp"));
        assertThat(received).filteredOn(e -> e.id().equals("cli-2")).singleElement()
                .satisfies(e -> assertThat(e.key()).isEqualTo("fan"));
    }

    @Test
    void shouldPublishBinaryModeRecordReadableByPlainConsumer() throws Exception {
        // given
        Event event = Event.of("device.added", "/test/bus", "lamp-2", "corr-7", mapper.readTree("{\"name\":\"Lamp\"}"));

        // when
        bus.publish(event).get(30, TimeUnit.SECONDS);

        // then
        List<ConsumerRecord<String, byte[]>> records = PlainKafkaClients.readAll(settings.eventsTopic(), 1);
        ConsumerRecord<String, byte[]> record = records.get(0);
        assertThat(record.key()).isEqualTo("lamp-2");
        assertThat(mapper.readTree(record.value())).isEqualTo(event.data());
        assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(record, "ce_id")).isEqualTo(event.id());
        assertThat(header(record, "ce_type")).isEqualTo("device.added");
        assertThat(header(record, "ce_source")).isEqualTo("/test/bus");
        assertThat(OffsetDateTime.parse(header(record, "ce_time")).toInstant()).isEqualTo(event.time());
        assertThat(header(record, "ce_correlationid")).isEqualTo("corr-7");
        assertThat(header(record, "content-type")).isEqualTo("application/json");
    }

    @Test
    void shouldWriteCompressedBatchesThatAPlainConsumerReads() throws Exception {
        // given: the bus as it ships (LZ4)
        KafkaEventBusSettings shipped = burstSettings();

        // when
        LogBytes written = publishBurst(shipped);

        // then: the log holds much less than the records' bytes; uncompressed it would hold more (each record adds
        // its lengths and offsets)
        assertThat(shipped.compression()).isEqualTo("lz4");
        assertThat(written.log()).as("log bytes for %d bytes of records", written.records()).isLessThan(written.records() * 6 / 10);
    }

    @Test
    void shouldWriteUncompressedBatchesWhenAskedTo() throws Exception {
        // when
        LogBytes written = publishBurst(burstSettings().withCompression("none"));

        // then
        assertThat(written.log()).isGreaterThan(written.records());
    }

    private record LogBytes(long records, long log) {
    }

    /** A linger long enough that even a slow machine puts many events in a batch (one or two compress little). */
    private static KafkaEventBusSettings burstSettings() {
        return KafkaEventBusSettings.defaults(KafkaSupport.bootstrapServers(), KafkaSupport.uniqueName("node"))
                .withTopics(KafkaSupport.uniqueName("events"), KafkaSupport.uniqueName("events-dlq"))
                .withPartitions(3, (short) -1)
                .withLinger(Duration.ofMillis(100));
    }

    /** Publishes a burst, as a busy plugin does, reads it back with a plain consumer and measures the topic's log. */
    private static LogBytes publishBurst(KafkaEventBusSettings burst) throws Exception {
        int events = 500;
        List<ConsumerRecord<String, byte[]>> records;
        try (KafkaEventBus publisher = new KafkaEventBus(burst).start()) {
            List<CompletableFuture<Event>> published = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                published.add(publisher.publish("device.state_changed", "lamp-" + (i % 8), Map.of("on", i % 2 == 0, "level", i)));
            }
            CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            records = PlainKafkaClients.readAll(burst.eventsTopic(), events);
        }
        assertThat(records).allSatisfy(record -> assertThat(header(record, "ce_type")).isEqualTo("device.state_changed"));
        return new LogBytes(records.stream().mapToLong(PlainKafkaClients::size).sum(), PlainKafkaClients.logSize(burst.eventsTopic()));
    }

    @Test
    void shouldDeadLetterRecordThatIsNotACloudEvent() throws Exception {
        // given
        ProducerRecord<String, byte[]> garbage = new ProducerRecord<>(settings.eventsTopic(), "k", utf8("hello"));

        // when
        PlainKafkaClients.send(garbage);
        bus.publish("device.added", "k", null).get(30, TimeUnit.SECONDS);

        // then
        await().atMost(WAIT).untilAsserted(() -> assertThat(received).extracting(Event::type).containsExactly("device.added"));
        ConsumerRecord<String, byte[]> dead = PlainKafkaClients.readAll(settings.deadLetterTopic(), 1).get(0);
        assertThat(dead.key()).isEqualTo("k");
        assertThat(new String(dead.value())).isEqualTo("hello");
        assertThat(header(dead, "hc_error_class")).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(header(dead, "hc_error_message")).contains("not a CloudEvent");
        assertThat(header(dead, "hc_subscriber")).isEqualTo(settings.consumerGroupId());
        assertThat(header(dead, "hc_original_topic")).isEqualTo(settings.eventsTopic());
        assertThat(header(dead, "hc_original_offset")).isNotNull();
    }
}
