package org.homeconsole.connector.kafka.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Writes records to the dead-letter topic: the original key, value and headers, plus {@code hc_*}
 * headers saying who failed, why, and where the record came from.
 */
public final class DeadLetterWriter {

    public static final String ERROR_CLASS = "hc_error_class";
    public static final String ERROR_MESSAGE = "hc_error_message";
    public static final String SUBSCRIBER = "hc_subscriber";
    public static final String ATTEMPTS = "hc_attempts";
    public static final String ORIGINAL_TOPIC = "hc_original_topic";
    public static final String ORIGINAL_PARTITION = "hc_original_partition";
    public static final String ORIGINAL_OFFSET = "hc_original_offset";

    private final Supplier<Producer<String, byte[]>> producer;
    private final String topic;

    /** @param producer the bus's producer, {@code null} while the bus is not started */
    public DeadLetterWriter(Supplier<Producer<String, byte[]>> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A subscriber failed {@code attempts} times; completes once the broker has the record. */
    public CompletableFuture<Void> failed(ConsumerRecord<String, byte[]> original, String subscriber, Throwable error, int attempts) {
        return send(original, error.getClass().getName(), error.getMessage(), subscriber, attempts);
    }

    /** The record is not a CloudEvent; {@code reader} names who rejected it (the node's consumer group). */
    public CompletableFuture<Void> invalid(ConsumerRecord<String, byte[]> original, String reader, String reason) {
        return send(original, IllegalArgumentException.class.getName(), reason, reader, 0);
    }

    private CompletableFuture<Void> send(ConsumerRecord<String, byte[]> original, String errorClass, String errorMessage,
            String subscriber, int attempts) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, original.key(), original.value());
        Headers headers = record.headers();
        for (Header header : original.headers()) {
            headers.add(header);
        }
        RecordHeaders.put(headers, ERROR_CLASS, errorClass);
        RecordHeaders.put(headers, ERROR_MESSAGE, errorMessage == null ? "" : errorMessage);
        RecordHeaders.put(headers, SUBSCRIBER, subscriber);
        RecordHeaders.put(headers, ATTEMPTS, String.valueOf(attempts));
        RecordHeaders.put(headers, ORIGINAL_TOPIC, original.topic());
        RecordHeaders.put(headers, ORIGINAL_PARTITION, String.valueOf(original.partition()));
        RecordHeaders.put(headers, ORIGINAL_OFFSET, String.valueOf(original.offset()));
        CompletableFuture<Void> sent = new CompletableFuture<>();
        Producer<String, byte[]> current = producer.get();
        if (current == null) {
            sent.completeExceptionally(new IllegalStateException("Event bus not running: cannot write to " + topic));
            return sent;
        }
        try {
            current.send(record, (metadata, e) -> {
                if (e != null) {
                    sent.completeExceptionally(e);
                } else {
                    sent.complete(null);
                }
            });
        } catch (RuntimeException e) {
            sent.completeExceptionally(e);
        }
        return sent;
    }
}
