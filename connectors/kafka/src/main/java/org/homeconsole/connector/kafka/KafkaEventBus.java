package org.homeconsole.connector.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.management.JMException;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
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
import org.homeconsole.connector.kafka.internal.RoomSignal;
import org.homeconsole.connector.kafka.internal.SubscriberPool;
import org.homeconsole.connector.kafka.internal.SubscriberSet;
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
 * bounded queue, and its handler runs on one of a few shared threads
 * ({@link KafkaEventBusSettings#subscriberThreads()}), one event at a time; events of one key reach it in order.
 * Threads are added while every one of them is stuck in a handler ({@code SubscriberPool}), so a handler that
 * blocks holds up the other subscriptions briefly (40 ms at most each time), not for as long as it blocks. A failing handler is
 * retried ({@link KafkaEventBusSettings#maxAttempts()}, pauses doubling from
 * {@link KafkaEventBusSettings#retryBackoff()}), then its event is dead-lettered and delivery goes
 * on. Offsets are committed only once every matching subscription has finished a record:
 * at-least-once, so handlers should tolerate seeing an event twice after a crash.
 *
 * <p>Cost per event: {@code publish(type, key, data)} writes the data to JSON once, straight into the
 * record. A consumed record's attributes are read once per node; its data becomes a {@link JsonNode}
 * once for every subscription, on the consumer thread before they get it (the subscriptions share one
 * {@link Event}, so handlers must not modify it); an event no subscription matches is not parsed. Patterns are matched once per event type. The producer
 * compresses its batches ({@link KafkaEventBusSettings#compression()}, LZ4 by default).
 *
 * <p>The future returned by {@code publish} completes on Kafka's producer thread: use the
 * {@code ...Async} stages for anything slow.
 */
public final class KafkaEventBus implements EventBus, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventBus.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /**
     * {@code batch.size} of the bus's producer: 64 KB (Kafka's default is 16 KB). A CloudEvents record
     * is ~3 times a bare one (the {@code ce_*} headers), so a 16 KB batch held a third of the events and
     * the broker handled three times the requests per event. Only a busy producer fills its batches; a
     * quiet one still sends after {@code linger.ms}.
     */
    private static final int BATCH_SIZE = 64 * 1024;
    /**
     * Least {@code buffer.memory} of the bus's producer: 4 MB (Kafka's default is 32 MB). It bounds how
     * many published events wait for the broker: each keeps its headers, future and data on the heap
     * until acknowledged, and with 32 MB a fast publisher piled up ~100,000 of them that every young
     * collection copied. A publisher that far ahead blocks in {@code publish} until the broker catches up.
     */
    private static final long MIN_BUFFER_MEMORY = 4L * 1024 * 1024;
    /**
     * {@code max.in.flight.requests.per.connection} of the bus's producer: 1 (Kafka's default is 5). While a produce
     * request is out, the events published meanwhile wait in the next batches, so a busy publisher sends fewer and
     * fuller batches (fewer requests for the broker, fewer LZ4 streams for the producer, each of which allocates
     * 128 KB), and a quiet one is not held up: its request is back before {@code linger.ms} has passed. In the
     * EventBus benchmark bus x1 delivered 14 % more events per second with it, faster in every round of an A/B in
     * one JVM, with p50 and p99 at 10,000 events/s unchanged (docs/benchmarks.md, "One produce request in flight").
     * The price is a broker far away: one request per round trip caps a node's publishing at
     * {@code max.request.size} (1 MB) per round trip, e.g. 50 MB/s at 20 ms.
     */
    private static final int IN_FLIGHT = 1;
    /** Kafka's most {@code max.in.flight.requests.per.connection} for an idempotent producer: a user may set it up to that. */
    private static final int MAX_IN_FLIGHT = 5;
    /**
     * Consumer settings that differ from Kafka's defaults. The consumer sends no new fetch to the broker
     * while one is pending there, and a fetch for partitions without new records waits
     * {@code fetch.max.wait.ms} (500 ms by default): a partition resumed after a full subscriber queue
     * could sit that long behind it.
     */
    private static final Map<String, Object> CONSUMER_TUNING = Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);

    private enum State { NEW, STARTED, CLOSED }

    private final KafkaEventBusSettings settings;
    private final CloudEventCodec codec;
    private final SubscriberSet subscribers = new SubscriberSet();
    private final RoomSignal roomSignal = new RoomSignal();
    private final SubscriberPool subscriberPool;
    private volatile State state = State.NEW;
    private final DeadLetterWriter deadLetters;
    private volatile Producer<String, byte[]> producer;
    private volatile int partitions;
    private EventDispatcher dispatcher;
    private Thread consumerThread;
    private volatile boolean mbeanRegistered;

    public KafkaEventBus(KafkaEventBusSettings settings) {
        this(settings, JsonMapper.builder().findAndAddModules().build());
    }

    /** @param mapper turns published data into JSON (share the application's to keep its modules and settings) */
    public KafkaEventBus(KafkaEventBusSettings settings, ObjectMapper mapper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.codec = new CloudEventCodec(Objects.requireNonNull(mapper, "mapper"));
        this.deadLetters = new DeadLetterWriter(() -> producer, settings.deadLetterTopic());
        this.subscriberPool = new SubscriberPool(settings.nodeId(), settings.subscriberThreads());
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
        Map<String, Object> consumerOverrides = new HashMap<>(CONSUMER_TUNING);
        consumerOverrides.putAll(overrides);
        Consumer<String, byte[]> consumer = null;
        try {
            int deadLetterPartitions;
            try (Admin admin = Admin.create(KafkaClientConfigs.admin(settings.bootstrapServers(), client + "-admin", overrides))) {
                partitions = KafkaTopics.ensure(admin, settings.eventsTopic(), settings.partitions(), settings.replicationFactor(), Map.of());
                deadLetterPartitions = KafkaTopics.ensure(admin, settings.deadLetterTopic(), settings.partitions(),
                        settings.replicationFactor(), Map.of());
            }
            Map<String, Object> producerOverrides = producerTuning(partitions + deadLetterPartitions, settings.compression());
            producerOverrides.putAll(overrides);
            producer = new KafkaProducer<>(KafkaClientConfigs.producer(settings.bootstrapServers(), client + "-producer",
                    settings.linger(), producerOverrides));
            consumer = new KafkaConsumer<>(KafkaClientConfigs.consumer(settings.bootstrapServers(), client + "-consumer",
                    settings.consumerGroupId(), consumerOverrides));
            Map<TopicPartition, PartitionProgress> progress = position(consumer, partitions);
            dispatcher = new EventDispatcher(consumer, progress, subscribers, codec, deadLetters, roomSignal,
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
        registerMBean();
        LOG.info("Kafka event bus of node {} started on {} ({} partitions) in {} ms", settings.nodeId(), settings.eventsTopic(),
                partitions(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        return this;
    }

    /** The name of this bus's {@link EventBusMXBean}. */
    public ObjectName mbeanName() {
        try {
            // node ids hold only letters, digits, '.', '_' and '-': nothing to quote
            return new ObjectName("org.homeconsole:type=EventBus,node=" + settings.nodeId());
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    private void registerMBean() {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(
                    new StandardMBean(new Management(), EventBusMXBean.class, true), mbeanName());
            mbeanRegistered = true;
        } catch (JMException e) {
            // another bus of the same node id in this JVM (tests, a second bus by mistake): it shows, this one does not
            LOG.warn("Event bus of node {} is not in JMX: {}", settings.nodeId(), e.toString());
        }
    }

    private void unregisterMBean() {
        if (!mbeanRegistered) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName());
        } catch (JMException e) {
            LOG.debug("Event bus of node {} was not in JMX any more: {}", settings.nodeId(), e.toString());
        }
    }

    /** What {@link EventBusMXBean} shows, read when asked. */
    private final class Management implements EventBusMXBean {

        @Override
        public String getNodeId() {
            return settings.nodeId();
        }

        @Override
        public String getEventsTopic() {
            return settings.eventsTopic();
        }

        @Override
        public List<String> getSubscriptions() {
            return Arrays.stream(subscribers.snapshot()).map(w -> w.name() + " (" + w.pattern() + ")").toList();
        }

        @Override
        public int getSubscriberThreads() {
            return subscriberPool.threads();
        }

        @Override
        public int getSubscriberThreadsBase() {
            return subscriberPool.baseThreads();
        }

        @Override
        public int getWaitingTurns() {
            return subscriberPool.waitingTurns();
        }

        @Override
        public long getQueuedEvents() {
            long queued = 0;
            for (SubscriberWorker worker : subscribers.snapshot()) {
                queued += worker.queued();
            }
            return queued;
        }
    }

    /**
     * The producer settings of the bus that differ from Kafka's defaults ({@link KafkaEventBusSettings#clientProperties()}
     * win over them): {@link #BATCH_SIZE}, {@link #IN_FLIGHT}, the settings' {@code compression}, and a {@code buffer.memory} of
     * {@link #MIN_BUFFER_MEMORY} or, for many partitions, enough for a batch of every partition in each request that may be in
     * flight (as many as a user may allow)
     * plus the one filling: a quiet producer's batches hold a few events but count in full, and a
     * buffer too small for them would block publishers whenever the broker is slow.
     *
     * @param partitions of the topics the producer writes to
     * @param compression {@code compression.type}
     */
    private static Map<String, Object> producerTuning(int partitions, String compression) {
        Map<String, Object> tuning = new HashMap<>();
        tuning.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_SIZE);
        tuning.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, IN_FLIGHT);
        tuning.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        tuning.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(MIN_BUFFER_MEMORY, (MAX_IN_FLIGHT + 1L) * partitions * BATCH_SIZE));
        return tuning;
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

    /**
     * {@inheritDoc}
     *
     * <p>The data is written to JSON once, straight into the record's value; the event the future
     * completes with reads that JSON back into its {@link Event#data()} only if asked.
     */
    @Override
    public CompletableFuture<Event> publish(String type, String key, Object data) {
        byte[] json;
        try {
            json = codec.toJson(data);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        Event event = data instanceof JsonNode node
                ? Event.of(type, settings.source(), key, null, node)
                : Event.withLazyData(type, settings.source(), key, null, codec.lazyData(json));
        return send(event, json);
    }

    @Override
    public CompletableFuture<Event> publish(Event event) {
        Objects.requireNonNull(event, "event");
        return send(event, null);
    }

    /** @param json the event's data as JSON when already written, else {@code null} */
    private CompletableFuture<Event> send(Event event, byte[] json) {
        Producer<String, byte[]> current = producer;
        if (state != State.STARTED || current == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "Kafka event bus of node " + settings.nodeId() + " is " + describeState()));
        }
        Acknowledgement acknowledged = new Acknowledgement(event);
        try {
            ProducerRecord<String, byte[]> record = json != null
                    ? codec.encode(settings.eventsTopic(), event, json)
                    : codec.encode(settings.eventsTopic(), event);
            current.send(record, acknowledged);
        } catch (RuntimeException e) {
            acknowledged.completeExceptionally(e);
        }
        return acknowledged;
    }

    /**
     * The future {@code publish} returns, completed by the producer's callback: one object per event
     * waiting for the broker rather than a future and a callback.
     */
    private static final class Acknowledgement extends CompletableFuture<Event> implements Callback {
        private final Event event;

        Acknowledgement(Event event) {
            this.event = event;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception e) {
            if (e != null) {
                completeExceptionally(e);
            } else {
                complete(event);
            }
        }
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
                    settings.maxAttempts(), settings.retryBackoff(), deadLetters, roomSignal, subscriberPool, subscribers::remove);
            subscribers.add(worker);
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
            SubscriberWorker[] stopping = subscribers.snapshot();
            for (SubscriberWorker worker : stopping) {
                worker.halt();
            }
            for (SubscriberWorker worker : stopping) {
                if (!worker.awaitHalted(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    LOG.warn("Subscriber {} did not finish its event within {} s", worker.name(), STOP_TIMEOUT.toSeconds());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscribers.clear();
        subscriberPool.close();
        unregisterMBean();
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
