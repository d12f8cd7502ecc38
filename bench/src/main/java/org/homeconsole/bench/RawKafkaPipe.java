package org.homeconsole.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The baseline: a plain {@link KafkaProducer} and a plain {@link KafkaConsumer} that assigns every
 * partition and starts at the end, as the bus does, on a topic with the bus's partition count. The
 * value is the same JSON the bus would carry, written by Jackson and read back into a {@link JsonNode} by
 * Jackson, as the bus's subscribers get it; there are no CloudEvents headers.
 *
 * <p>With {@code parseData} false, a diagnostic: the consumer takes the two numbers it needs out of the value's
 * bytes and never parses it (what the baseline did before 2026-12-03).
 *
 * <p>With another {@link Envelope}, a diagnostic rather than the baseline: the same plain clients carrying a
 * CloudEvents envelope, with nothing of the bus. They show what the envelope alone costs in Kafka's clients
 * and broker.
 */
final class RawKafkaPipe implements Pipe {

    /** What the raw clients wrap the data in. */
    enum Envelope {
        /** the baseline: the data as the value, no headers */
        NONE("raw"),
        /**
         * CloudEvents binary mode: the six headers the bus writes ({@code ce_specversion}, {@code ce_id},
         * {@code ce_type}, {@code ce_source}, {@code ce_time}, {@code content-type}); the consumer reads them as
         * any CloudEvents reader must (each key, and id, type, source and time as text)
         */
        BINARY("raw + CE headers"),
        /**
         * CloudEvents structured mode: one {@code content-type: application/cloudevents+json} header and the
         * attributes in the JSON value around the data; the consumer reads the attributes with a streaming
         * parser and the data into a {@link JsonNode} (skips it when the data is not parsed)
         */
        STRUCTURED("raw + CE structured");

        final String pipeName;

        Envelope(String pipeName) {
            this.pipeName = pipeName;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(RawKafkaPipe.class);
    private static final Header CE_SPECVERSION = new RecordHeader("ce_specversion", utf8("1.0"));
    private static final Header CE_TYPE = new RecordHeader("ce_type", utf8(Payload.TYPE));
    private static final Header CE_SOURCE = new RecordHeader("ce_source", utf8("/homeconsole/bench"));
    private static final Header CONTENT_TYPE = new RecordHeader("content-type", utf8("application/json"));
    private static final Header STRUCTURED_CONTENT_TYPE = new RecordHeader("content-type", utf8("application/cloudevents+json"));
    private static final byte[] STRUCTURED_ID = utf8("{\"specversion\":\"1.0\",\"id\":\"");
    private static final byte[] STRUCTURED_TIME = utf8("\",\"source\":\"/homeconsole/bench\",\"type\":\"" + Payload.TYPE + "\",\"time\":\"");
    private static final byte[] STRUCTURED_DATA = utf8("\",\"datacontenttype\":\"application/json\",\"data\":");

    private final String topic;
    private final ObjectMapper mapper;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Receiver receiver;
    private final Envelope envelope;
    private final boolean parseData;
    private final Thread thread;
    private volatile boolean running = true;
    /** characters of attributes read (consumer thread only; logged so that the reads stay) */
    private long attributeChars;

    /** The topic must exist with {@code partitions} partitions. */
    RawKafkaPipe(String bootstrap, String topic, int partitions, Duration linger, ObjectMapper mapper, Receiver receiver,
            Envelope envelope, boolean parseData) {
        this.topic = topic;
        this.envelope = envelope;
        this.parseData = parseData;
        this.mapper = mapper;
        this.receiver = receiver;
        this.producer = new KafkaProducer<>(KafkaConfigs.producer(bootstrap, topic + "-producer", linger));
        this.consumer = new KafkaConsumer<>(KafkaConfigs.consumer(bootstrap, topic + "-consumer"));
        List<TopicPartition> assigned = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
        consumer.assign(assigned);
        consumer.seekToEnd(assigned);
        // resolve the positions now: an event sent after this constructor returns must not fall before them
        assigned.forEach(consumer::position);
        this.thread = new Thread(this::consume, "bench-raw-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public String name() {
        return parseData ? envelope.pipeName : envelope.pipeName + ", value not parsed";
    }

    @Override
    public void send(long seq, long intendedNanos, Acks acks) {
        byte[] value;
        try {
            value = mapper.writeValueAsBytes(Payload.reading(seq, intendedNanos));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ProducerRecord<String, byte[]> record = switch (envelope) {
            case NONE -> new ProducerRecord<>(topic, Payload.key(seq), value);
            case BINARY -> {
                ProducerRecord<String, byte[]> binary = new ProducerRecord<>(topic, Payload.key(seq), value);
                binary.headers().add(CE_SPECVERSION).add("ce_id", utf8(UUID.randomUUID().toString())).add(CE_TYPE).add(CE_SOURCE)
                        .add("ce_time", utf8(Instant.now().toString())).add(CONTENT_TYPE);
                yield binary;
            }
            case STRUCTURED -> {
                ProducerRecord<String, byte[]> structured = new ProducerRecord<>(topic, Payload.key(seq), structured(value));
                structured.headers().add(STRUCTURED_CONTENT_TYPE);
                yield structured;
            }
        };
        producer.send(record, (metadata, e) -> acks.done(e));
    }

    /** The structured-mode value around {@code data}; id and time need no JSON escaping. */
    private static byte[] structured(byte[] data) {
        byte[] id = utf8(UUID.randomUUID().toString());
        byte[] time = utf8(Instant.now().toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream(STRUCTURED_ID.length + id.length + STRUCTURED_TIME.length + time.length
                + STRUCTURED_DATA.length + data.length + 1);
        out.writeBytes(STRUCTURED_ID);
        out.writeBytes(id);
        out.writeBytes(STRUCTURED_TIME);
        out.writeBytes(time);
        out.writeBytes(STRUCTURED_DATA);
        out.writeBytes(data);
        out.write('}');
        return out.toByteArray();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the attributes of a binary-mode record as a CloudEvents reader must; returns their length. */
    private static int readBinaryAttributes(ConsumerRecord<String, byte[]> record) {
        int length = 0;
        for (Header header : record.headers()) {
            String key = header.key();
            if (key.startsWith("ce_") && !key.equals("ce_specversion")) {
                length += new String(header.value(), StandardCharsets.UTF_8).length();
            }
        }
        return length;
    }

    /**
     * Reads a structured-mode record with a streaming parser: the attributes as text (their length goes to
     * {@link #attributeChars}) and, when {@link #parseData}, the data into a tree.
     *
     * @return the data, or {@code null} when it is not parsed
     */
    private JsonNode readStructured(ConsumerRecord<String, byte[]> record) throws IOException {
        for (Header header : record.headers()) {
            attributeChars += header.key().length();
        }
        JsonNode data = null;
        try (JsonParser parser = mapper.getFactory().createParser(record.value())) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                if (field.equals("data") && parseData) {
                    data = mapper.readTree(parser);
                    continue;
                }
                if (!field.equals("data") && token == JsonToken.VALUE_STRING) {
                    attributeChars += parser.getText().length();
                }
                // the data, and any attribute that is an object or array
                parser.skipChildren();
            }
        }
        return data;
    }

    @Override
    public List<Receiver> receivers() {
        return List.of(receiver);
    }

    private void consume() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    byte[] value = record.value();
                    JsonNode data = null;
                    if (envelope == Envelope.BINARY) {
                        attributeChars += readBinaryAttributes(record);
                    } else if (envelope == Envelope.STRUCTURED) {
                        data = readStructured(record);
                    }
                    if (!parseData) {
                        receiver.delivered(Payload.seq(value), Payload.t(value));
                        continue;
                    }
                    if (data == null) {
                        data = mapper.readTree(value);
                    }
                    // as a bus subscriber reads its event's data (BusPipe)
                    receiver.delivered(data.get("seq").asLong(), data.get("t").asLong());
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException | IOException e) {
            LOG.error("Raw consumer of {} failed", topic, e);
        } finally {
            consumer.close(Duration.ZERO);
            LOG.debug("Read {} characters of CloudEvents attributes", attributeChars);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
