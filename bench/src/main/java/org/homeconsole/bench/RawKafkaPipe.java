package org.homeconsole.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The baseline: a plain {@link KafkaProducer} and a plain {@link KafkaConsumer} that assigns every
 * partition and starts at the end, as the bus does, on a topic with the bus's partition count. The
 * value is the same JSON the bus would carry (written by Jackson); there are no CloudEvents headers.
 */
final class RawKafkaPipe implements Pipe {

    private static final Logger LOG = LoggerFactory.getLogger(RawKafkaPipe.class);

    private final String topic;
    private final ObjectMapper mapper;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Receiver receiver;
    private final Thread thread;
    private volatile boolean running = true;

    /** The topic must exist with {@code partitions} partitions. */
    RawKafkaPipe(String bootstrap, String topic, int partitions, Duration linger, ObjectMapper mapper, Receiver receiver) {
        this.topic = topic;
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
        return "raw";
    }

    @Override
    public void send(long seq, long intendedNanos, Acks acks) {
        byte[] value;
        try {
            value = mapper.writeValueAsBytes(Payload.reading(seq, intendedNanos));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        producer.send(new ProducerRecord<>(topic, Payload.key(seq), value), (metadata, e) -> acks.done(e));
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
                    receiver.delivered(Payload.seq(value), Payload.t(value));
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.error("Raw consumer of {} failed", topic, e);
        } finally {
            consumer.close(Duration.ZERO);
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
