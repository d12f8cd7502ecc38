package org.homeconsole.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.homeconsole.api.events.Event;
import org.homeconsole.bench.Payload;
import org.homeconsole.connector.kafka.internal.CloudEventCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the bus's consumer thread spends on one binary-mode CloudEvents record before it hands it out: a record
 * that a subscription wants (the envelope read and the event built; its data stays unparsed until a subscriber
 * asks), against one that no subscription wants (read up to the type header, then skipped). Before 2026-12-03
 * every record took the first path.
 *
 * <p>Each call gets a record with fresh headers made from the bytes, as Kafka's consumer makes them
 * ({@code RecordHeader} decodes its key on first use), so the header reads are measured, not a cached string;
 * {@code recordOnly} measures making that record alone.
 *
 * <pre>
 * ./mvnw -q -B package -DskipTests -pl bench -am
 * java -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main CloudEventDecode
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CloudEventDecodeBenchmark {

    /** records of distinct ids and times, cycled through so that no value stays in a register */
    private static final int RECORDS = 64;

    private final CloudEventCodec codec = new CloudEventCodec(new ObjectMapper());
    private final byte[][] values = new byte[RECORDS][];
    private final String[] keys = new String[RECORDS];
    private final ByteBuffer[][] headerKeys = new ByteBuffer[RECORDS][];
    private final ByteBuffer[][] headerValues = new ByteBuffer[RECORDS][];
    private int next;

    @Setup
    public void write() {
        for (int i = 0; i < RECORDS; i++) {
            // the EventBus benchmark's reading, written as KafkaEventBus.publish(type, key, data) writes it
            byte[] json = codec.toJson(Payload.reading(i, System.nanoTime()));
            Event event = Event.withLazyData(Payload.TYPE, "/homeconsole/bench", Payload.key(i), null, codec.lazyData(json));
            ProducerRecord<String, byte[]> written = codec.encode("events", event, json);
            Header[] headers = written.headers().toArray();
            values[i] = written.value();
            keys[i] = written.key();
            headerKeys[i] = new ByteBuffer[headers.length];
            headerValues[i] = new ByteBuffer[headers.length];
            for (int h = 0; h < headers.length; h++) {
                headerKeys[i][h] = ByteBuffer.wrap(headers[h].key().getBytes(StandardCharsets.UTF_8));
                headerValues[i][h] = ByteBuffer.wrap(headers[h].value());
            }
        }
    }

    /** The baseline: only making the record, the part of the other two that Kafka's consumer does anyway. */
    @Benchmark
    public Object recordOnly() {
        return consumed();
    }

    @Benchmark
    public Object wanted() {
        return codec.decode(consumed(), type -> true).event();
    }

    @Benchmark
    public Object unwanted() {
        return codec.decode(consumed(), type -> false);
    }

    /** The next record as the consumer hands it over: headers that decode their key and value on first use. */
    private ConsumerRecord<String, byte[]> consumed() {
        int i = next++ & (RECORDS - 1);
        ByteBuffer[] keyBuffers = headerKeys[i];
        Header[] headers = new Header[keyBuffers.length];
        for (int h = 0; h < headers.length; h++) {
            headers[h] = new RecordHeader(keyBuffers[h].duplicate(), headerValues[i][h].duplicate());
        }
        return new ConsumerRecord<>("events", 0, i, 0L, TimestampType.CREATE_TIME, -1, -1, keys[i], values[i],
                new RecordHeaders(headers), Optional.empty());
    }
}
