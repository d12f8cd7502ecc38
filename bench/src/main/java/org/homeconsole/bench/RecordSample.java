package org.homeconsole.bench;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/** Reads back records of a topic to report how many bytes one event takes (value alone; key, value and headers). */
final class RecordSample {

    /** Averages in bytes; -1 when no record could be read. */
    record Sizes(double value, double total) {
    }

    private RecordSample() {
    }

    /** Averages over up to 1,000 records from the start of the topic. */
    static Sizes of(String bootstrap, String topic, int partitions) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaConfigs.consumer(bootstrap, topic + "-sample"))) {
            List<TopicPartition> assigned = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            long values = 0;
            long total = 0;
            int records = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (records < 1_000 && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values += Math.max(0, record.serializedValueSize());
                    total += Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
                    for (Header header : record.headers()) {
                        total += header.key().length() + (header.value() == null ? 0 : header.value().length);
                    }
                    records++;
                }
            }
            return records == 0 ? new Sizes(-1, -1) : new Sizes((double) values / records, (double) total / records);
        }
    }
}
