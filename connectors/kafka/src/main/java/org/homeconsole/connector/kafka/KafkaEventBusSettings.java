package org.homeconsole.connector.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.homeconsole.connector.kafka.internal.Checks;
import org.homeconsole.connector.kafka.internal.SubscriberPool;

/**
 * Configuration of a {@link KafkaEventBus}. Start from {@link #defaults(String, String)} and change
 * what differs with the {@code with...} methods.
 *
 * @param bootstrapServers Kafka's {@code bootstrap.servers}
 * @param nodeId this process's stable id ({@code [A-Za-z0-9._-]+}); names the consumer group
 *               {@code homeconsole-events-<nodeId>} whose committed offsets let a restarted node resume
 * @param source CloudEvents {@code source} of events published with {@link KafkaEventBus#publish(String, String, Object)}
 * @param eventsTopic the topic every event travels on
 * @param deadLetterTopic where events go that a subscriber could not handle, or that are not CloudEvents
 * @param partitions partitions of the two topics when this bus creates them (an existing topic keeps its own)
 * @param replicationFactor replication factor when creating them; -1 takes the broker's default
 * @param maxAttempts how many times a subscriber is called for one event before it is dead-lettered (1 = no retry)
 * @param retryBackoff pause after the first failed attempt; doubles after each further one (capped at 30 s)
 * @param subscriberQueueCapacity events waiting per subscriber before the bus pauses reading the partition
 * @param subscriberThreads threads that run the subscriptions' handlers, shared by all of them (by default as many
 *                          as the machine has cores, {@link #defaultSubscriberThreads()}); more are added for as long as
 *                          handlers block or run long (see {@code SubscriberPool})
 * @param commitInterval how often offsets of fully handled events are committed
 * @param linger producer {@code linger.ms}: a small batch window (Kafka 4 defaults to 5 ms)
 * @param compression producer {@code compression.type}: {@code lz4} by default ({@link #DEFAULT_COMPRESSION}), or
 *                    {@code none}, {@code gzip}, {@code snappy}, {@code zstd}
 * @param clientProperties extra properties for every Kafka client (e.g. {@code security.protocol}, {@code sasl.*}); win over the bus's own
 */
public record KafkaEventBusSettings(
        String bootstrapServers,
        String nodeId,
        String source,
        String eventsTopic,
        String deadLetterTopic,
        int partitions,
        short replicationFactor,
        int maxAttempts,
        Duration retryBackoff,
        int subscriberQueueCapacity,
        int subscriberThreads,
        Duration commitInterval,
        Duration linger,
        String compression,
        Map<String, Object> clientProperties) {

    public static final String DEFAULT_EVENTS_TOPIC = "homeconsole.events";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "homeconsole.events.dlq";
    /**
     * Events waiting per subscriber by default. When every partition waits for a full queue, the consumer
     * looks again once a queue has drained below half: with 1,000, 16 subscribers of a fast stream ran dry
     * meanwhile (docs/benchmarks.md, "The envelope, not the bus"). The bound counts events, not bytes: each
     * queued event keeps its record and, once read, its data until the slowest subscriber is through, so with
     * large events a slow subscriber holds up to this many of them in memory. The events in a queue are
     * shared with the other subscriptions that get them.
     */
    public static final int DEFAULT_SUBSCRIBER_QUEUE = 4096;
    /**
     * How the producer compresses its batches by default. A CloudEvents record is ~3 times a bare one, mostly
     * header names and the repeated type, source and content type: LZ4 takes that back at little cost, and the
     * broker validates a compressed batch without building an object for every header of every record. Kafka's
     * clients decompress on their own; a few non-Java ones need an LZ4 codec added first (docs/events.md).
     */
    public static final String DEFAULT_COMPRESSION = "lz4";
    /** The most subscriber threads, set or added while handlers block. */
    public static final int MAX_SUBSCRIBER_THREADS = SubscriberPool.MAX_THREADS;
    /** Kafka's {@code compression.type} values, in the order messages list them. */
    public static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    public KafkaEventBusSettings {
        Checks.notBlank("bootstrapServers", bootstrapServers);
        Checks.nodeId("nodeId", nodeId);
        Checks.notBlank("source", source);
        Checks.topic("eventsTopic", eventsTopic);
        Checks.topic("deadLetterTopic", deadLetterTopic);
        if (eventsTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException("Kafka event bus setting 'deadLetterTopic' must differ from 'eventsTopic' (" + eventsTopic + ")");
        }
        Checks.positive("partitions", partitions);
        if (replicationFactor == 0 || replicationFactor < -1) {
            throw new IllegalArgumentException("Kafka event bus setting 'replicationFactor' must be -1 (broker default) or positive, was " + replicationFactor);
        }
        Checks.positive("maxAttempts", maxAttempts);
        Checks.notNegative("retryBackoff", retryBackoff);
        Checks.positive("subscriberQueueCapacity", subscriberQueueCapacity);
        if (subscriberThreads < 1 || subscriberThreads > MAX_SUBSCRIBER_THREADS) {
            throw new IllegalArgumentException("Kafka event bus setting 'subscriberThreads' must be 1 to "
                    + MAX_SUBSCRIBER_THREADS + ", was " + subscriberThreads);
        }
        Checks.notNegative("commitInterval", commitInterval);
        Checks.notNegative("linger", linger);
        if (!COMPRESSIONS.contains(compression)) {
            throw new IllegalArgumentException("Kafka event bus setting 'compression' must be one of "
                    + String.join(", ", COMPRESSIONS) + ", was " + compression);
        }
        clientProperties = Map.copyOf(Objects.requireNonNull(clientProperties, "clientProperties"));
    }

    /**
     * Topics {@value #DEFAULT_EVENTS_TOPIC} / {@value #DEFAULT_DEAD_LETTER_TOPIC} with 6 partitions,
     * source {@code /homeconsole/<nodeId>}, 3 attempts 100 ms apart (doubling),
     * {@value #DEFAULT_SUBSCRIBER_QUEUE} queued events per subscriber, a subscriber thread per core, commits every second, {@code linger.ms=1},
     * LZ4 compression.
     */
    public static KafkaEventBusSettings defaults(String bootstrapServers, String nodeId) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, "/homeconsole/" + nodeId,
                DEFAULT_EVENTS_TOPIC, DEFAULT_DEAD_LETTER_TOPIC, 6, (short) -1,
                3, Duration.ofMillis(100), DEFAULT_SUBSCRIBER_QUEUE, defaultSubscriberThreads(), Duration.ofSeconds(1), Duration.ofMillis(1),
                DEFAULT_COMPRESSION, Map.of());
    }

    /** The consumer group under which this node's read positions are committed. */
    public String consumerGroupId() {
        return "homeconsole-events-" + nodeId;
    }

    public KafkaEventBusSettings withTopics(String eventsTopic, String deadLetterTopic) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, source, eventsTopic, deadLetterTopic, partitions,
                replicationFactor, maxAttempts, retryBackoff, subscriberQueueCapacity, subscriberThreads, commitInterval,
                linger, compression, clientProperties);
    }

    public KafkaEventBusSettings withSource(String source) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, source, eventsTopic, deadLetterTopic, partitions,
                replicationFactor, maxAttempts, retryBackoff, subscriberQueueCapacity, subscriberThreads, commitInterval,
                linger, compression, clientProperties);
    }

    public KafkaEventBusSettings withPartitions(int partitions, short replicationFactor) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, source, eventsTopic, deadLetterTopic, partitions,
                replicationFactor, maxAttempts, retryBackoff, subscriberQueueCapacity, subscriberThreads, commitInterval,
                linger, compression, clientProperties);
    }

    public KafkaEventBusSettings withRetries(int maxAttempts, Duration retryBackoff) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, source, eventsTopic, deadLetterTopic, partitions,
                replicationFactor, maxAttempts, retryBackoff, subscriberQueueCapacity, subscriberThreads, commitInterval,
                linger, compression, clientProperties);
    }

    public KafkaEventBusSettings withSubscriberQueueCapacity(int subscriberQueueCapacity) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, source, eventsTopic, deadLetterTopic, partitions,
                replicationFactor, maxAttempts, retryBackoff, subscriberQueueCapacity, subscriberThreads, commitInterval,
                linger, compression, clientProperties);
    }

    public KafkaEventBusSettings withSubscriberThreads(int subscriberThreads) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, source, eventsTopic, deadLetterTopic, partitions,
                replicationFactor, maxAttempts, retryBackoff, subscriberQueueCapacity, subscriberThreads, commitInterval,
                linger, compression, clientProperties);
    }

    /** Subscriber threads by default: one per core the JVM may use. */
    public static int defaultSubscriberThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public KafkaEventBusSettings withCommitInterval(Duration commitInterval) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, source, eventsTopic, deadLetterTopic, partitions,
                replicationFactor, maxAttempts, retryBackoff, subscriberQueueCapacity, subscriberThreads, commitInterval,
                linger, compression, clientProperties);
    }

    public KafkaEventBusSettings withLinger(Duration linger) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, source, eventsTopic, deadLetterTopic, partitions,
                replicationFactor, maxAttempts, retryBackoff, subscriberQueueCapacity, subscriberThreads, commitInterval,
                linger, compression, clientProperties);
    }

    /** @param compression one of {@link #COMPRESSIONS} */
    public KafkaEventBusSettings withCompression(String compression) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, source, eventsTopic, deadLetterTopic, partitions,
                replicationFactor, maxAttempts, retryBackoff, subscriberQueueCapacity, subscriberThreads, commitInterval,
                linger, compression, clientProperties);
    }

    public KafkaEventBusSettings withClientProperties(Map<String, Object> clientProperties) {
        return new KafkaEventBusSettings(bootstrapServers, nodeId, source, eventsTopic, deadLetterTopic, partitions,
                replicationFactor, maxAttempts, retryBackoff, subscriberQueueCapacity, subscriberThreads, commitInterval,
                linger, compression, clientProperties);
    }
}
