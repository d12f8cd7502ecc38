package org.homeconsole.connector.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.EventPattern;
import org.homeconsole.api.events.Subscription;
import org.homeconsole.connector.kafka.internal.CloudEventCodec;
import org.homeconsole.connector.kafka.internal.DeadLetterWriter;
import org.homeconsole.connector.kafka.internal.EventDispatcher;
import org.homeconsole.connector.kafka.internal.KafkaClientConfigs;
import org.homeconsole.connector.kafka.internal.KafkaTopics;
import org.homeconsole.connector.kafka.internal.PartitionProgress;
import org.homeconsole.connector.kafka.internal.SubscriberWorker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EventBus} on Kafka, one instance per node (process).
 *
 * <h2>Topics</h2>
 * Every event travels on one topic, {@code homeconsole.events} by default
 * ({@link KafkaEventBusSettings#eventsTopic()}), created with
 * {@link KafkaEventBusSettings#partitions()} partitions (6 by default) when missing. Events a
 * subscriber could not handle, and records that are not CloudEvents, go to
 * {@code homeconsole.events.dlq} ({@link KafkaEventBusSettings#deadLetterTopic()}) with their
 * original key, value and headers plus {@code hc_error_class}, {@code hc_error_message},
 * {@code hc_subscriber}, {@code hc_attempts}, {@code hc_original_topic},
 * {@code hc_original_partition} and {@code hc_original_offset}.
 *
 * <h2>Records</h2>
 * CloudEvents Kafka protocol binding, binary mode: key = {@link Event#key()}, value =
 * {@link Event#data()} as JSON, headers {@code ce_specversion=1.0}, {@code ce_id}, {@code ce_type},
 * {@code ce_source}, {@code ce_time} (RFC 3339), {@code ce_correlationid} (when set) and
 * {@code content-type=application/json}. Structured mode is also read (header
 * {@code content-type: application/cloudevents+json}, or a JSON value with {@code specversion} and
 * {@code type}), so that any Kafka client can publish, e.g.
 * {@code kafka-console-producer.sh --topic homeconsole.events} with
 * {@code {"specversion":"1.0","id":"1","type":"device.added","source":"/cli","data":{}}}.
 *
 * <h2>Delivery</h2>
 * Broadcast: each node reads every partition itself ({@code assign()}, no group rebalancing) and
 * commits its progress under the consumer group {@code homeconsole-events-<nodeId>}, so a restarted
 * node resumes where it stopped; a node seen for the first time starts at the end. Subscribe before
 * {@link #start()} to receive what was published while the node was down. Partitions added to the
 * topic later are read from the next start on. Every subscription has a
 * bounded queue and a thread of its own; events of one key reach it in order. A failing handler is
 * retried ({@link KafkaEventBusSettings#maxAttempts()}, pauses doubling from
 * {@link KafkaEventBusSettings#retryBackoff()}), then its event is dead-lettered and delivery goes
 * on. Offsets are committed only once every matching subscription has finished a record:
 * at-least-once, so handlers should tolerate seeing an event twice after a crash.
 *
 * <p>The future returned by {@code publish} completes on Kafka's producer thread: use the
 * {@code ...Async} stages for anything slow.
 */
public final class KafkaEventBus implements EventBus, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventBus.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private enum State { NEW, STARTED, CLOSED }

    private final KafkaEventBusSettings settings;
    private final ObjectMapper mapper;
    private final CloudEventCodec codec;
    private final List<SubscriberWorker> subscribers = new CopyOnWriteArrayList<>();
    private volatile State state = State.NEW;
    private final DeadLetterWriter deadLetters;
    private volatile Producer<String, byte[]> producer;
    private volatile int partitions;
    private EventDispatcher dispatcher;
    private Thread consumerThread;

    public KafkaEventBus(KafkaEventBusSettings settings) {
        this(settings, JsonMapper.builder().findAndAddModules().build());
    }

    /** @param mapper turns published data into JSON (share the application's to keep its modules and settings) */
    public KafkaEventBus(KafkaEventBusSettings settings, ObjectMapper mapper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.codec = new CloudEventCodec(mapper);
        this.deadLetters = new DeadLetterWriter(() -> producer, settings.deadLetterTopic());
    }

    /**
     * Creates the topics when missing, connects, and positions the consumer; returns once every event
     * published from now on will be delivered.
     *
     * @throws org.apache.kafka.common.KafkaException when Kafka cannot be reached or refuses
     */
    public synchronized KafkaEventBus start() {
        return start(true);
    }

    /**
     * Like {@link #start()}, but when {@code deliverNow} is false the consumer is positioned and nothing
     * is delivered until {@link #deliver()}: subscribers that are set up after start-up (plugins, route
     * files) then still get what was published while the node was down.
     */
    public synchronized KafkaEventBus start(boolean deliverNow) {
        if (state != State.NEW) {
            throw new IllegalStateException("Kafka event bus of node " + settings.nodeId() + " is " + describeState());
        }
        long begin = System.nanoTime();
        String client = "homeconsole-events-" + settings.nodeId();
        Map<String, Object> overrides = settings.clientProperties();
        Consumer<String, byte[]> consumer = null;
        try {
            try (Admin admin = Admin.create(KafkaClientConfigs.admin(settings.bootstrapServers(), client + "-admin", overrides))) {
                partitions = KafkaTopics.ensure(admin, settings.eventsTopic(), settings.partitions(), settings.replicationFactor(), Map.of());
                KafkaTopics.ensure(admin, settings.deadLetterTopic(), settings.partitions(), settings.replicationFactor(), Map.of());
            }
            producer = new KafkaProducer<>(KafkaClientConfigs.producer(settings.bootstrapServers(), client + "-producer",
                    settings.linger(), overrides));
            consumer = new KafkaConsumer<>(KafkaClientConfigs.consumer(settings.bootstrapServers(), client + "-consumer",
                    settings.consumerGroupId(), overrides));
            Map<TopicPartition, PartitionProgress> progress = position(consumer, partitions);
            dispatcher = new EventDispatcher(consumer, progress, subscribers, codec, deadLetters,
                    settings.consumerGroupId(), settings.commitInterval());
            consumerThread = new Thread(dispatcher, "hc-events-consumer-" + settings.nodeId());
            consumerThread.setDaemon(true);
            if (deliverNow) {
                consumerThread.start();
            }
        } catch (RuntimeException e) {
            if (consumer != null && dispatcher == null) {
                consumer.close(Duration.ZERO);
            }
            closeProducer();
            state = State.CLOSED;
            throw e;
        }
        state = State.STARTED;
        LOG.info("Kafka event bus of node {} started on {} ({} partitions) in {} ms", settings.nodeId(), settings.eventsTopic(),
                partitions(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        return this;
    }

    /** Starts delivery after {@link #start(boolean) start(false)}; does nothing when it already runs. */
    public synchronized void deliver() {
        if (state != State.STARTED) {
            throw new IllegalStateException("Kafka event bus of node " + settings.nodeId() + " is " + describeState());
        }
        if (consumerThread.getState() == Thread.State.NEW) {
            consumerThread.start();
        }
    }

    /**
     * Assigns every partition and resolves the start positions now (not lazily in the first poll),
     * so that an event published after {@link #start()} returns cannot fall before them.
     */
    private Map<TopicPartition, PartitionProgress> position(Consumer<String, byte[]> consumer, int partitionCount) {
        Set<TopicPartition> assigned = IntStream.range(0, partitionCount)
                .mapToObj(p -> new TopicPartition(settings.eventsTopic(), p))
                .collect(Collectors.toSet());
        consumer.assign(assigned);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        Map<TopicPartition, OffsetAndMetadata> fresh = new HashMap<>();
        Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset != null) {
                consumer.seek(partition, offset.offset());
            } else {
                consumer.seekToEnd(List.of(partition));
            }
            long position = consumer.position(partition);
            if (offset == null) {
                fresh.put(partition, new OffsetAndMetadata(position));
            }
            progress.put(partition, new PartitionProgress(position, offset == null ? position : offset.offset()));
        }
        if (!fresh.isEmpty()) {
            // a node that stops before anything arrives on a partition must still resume from here
            consumer.commitSync(fresh);
        }
        return progress;
    }

    @Override
    public CompletableFuture<Event> publish(String type, String key, Object data) {
        JsonNode json;
        try {
            json = data == null ? NullNode.getInstance() : data instanceof JsonNode node ? node : mapper.valueToTree(data);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return publish(Event.of(type, settings.source(), key, null, json));
    }

    @Override
    public CompletableFuture<Event> publish(Event event) {
        Objects.requireNonNull(event, "event");
        Producer<String, byte[]> current = producer;
        if (state != State.STARTED || current == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "Kafka event bus of node " + settings.nodeId() + " is " + describeState()));
        }
        CompletableFuture<Event> acknowledged = new CompletableFuture<>();
        try {
            current.send(codec.encode(settings.eventsTopic(), event), (metadata, e) -> {
                if (e != null) {
                    acknowledged.completeExceptionally(e);
                } else {
                    acknowledged.complete(event);
                }
            });
        } catch (RuntimeException e) {
            acknowledged.completeExceptionally(e);
        }
        return acknowledged;
    }

    @Override
    public Subscription subscribe(String subscriber, String pattern, EventHandler handler) {
        if (subscriber == null || subscriber.isBlank()) {
            throw new IllegalArgumentException("Subscriber name must not be blank");
        }
        Objects.requireNonNull(handler, "handler");
        EventPattern parsed = EventPattern.of(pattern);
        synchronized (this) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("Kafka event bus of node " + settings.nodeId() + " is closed");
            }
            SubscriberWorker worker = new SubscriberWorker(subscriber, parsed, handler, settings.subscriberQueueCapacity(),
                    settings.maxAttempts(), settings.retryBackoff(), deadLetters, subscribers::remove);
            subscribers.add(worker);
            worker.start();
            return worker;
        }
    }

    /** Partitions of the events topic this bus reads (known after {@link #start()}). */
    public int partitions() {
        return partitions;
    }

    public KafkaEventBusSettings settings() {
        return settings;
    }

    /**
     * Stops reading, lets each subscriber finish the event in hand, commits what is finished and
     * disconnects. Events still queued are not committed: the node gets them again after a restart.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        try {
            if (dispatcher != null) {
                dispatcher.stop();
                consumerThread.join(STOP_TIMEOUT.toMillis());
            }
            subscribers.forEach(SubscriberWorker::halt);
            for (SubscriberWorker worker : subscribers) {
                if (!worker.awaitHalted(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    LOG.warn("Subscriber {} did not finish its event within {} s", worker.name(), STOP_TIMEOUT.toSeconds());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscribers.clear();
        if (dispatcher != null) {
            dispatcher.commitAndClose();
        }
        closeProducer();
        LOG.info("Kafka event bus of node {} closed", settings.nodeId());
    }

    private String describeState() {
        return switch (state) {
            case NEW -> "not started yet";
            case STARTED -> "already started";
            case CLOSED -> "closed";
        };
    }

    private void closeProducer() {
        Producer<String, byte[]> current = producer;
        producer = null;
        if (current != null) {
            current.close(STOP_TIMEOUT);
        }
    }
}
