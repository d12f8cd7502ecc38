package org.homeconsole.connector.kafka.internal;

import java.time.Duration;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.homeconsole.api.events.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event bus's consumer thread: polls every partition of the events topic, hands each record
 * to the queues of the matching subscribers in partition order, and commits the offsets of records
 * every matching subscriber has finished.
 *
 * <p>When a subscriber's queue is full, the partition's remaining records wait in a backlog and
 * the partition is paused (the consumer keeps polling the others) until the queue has room again;
 * when every partition waits so, the consumer sleeps until a subscriber's queue has drained below half
 * ({@link RoomSignal}) or for {@code BACKLOG_POLL} at most. While only some partitions wait, it polls the
 * others and looks again after {@code BACKLOG_POLL} at most.
 *
 * <p>Per record it reads the envelope, looks up the subscriptions of the event's type in {@link EventRouter},
 * parses the data once for all of them, and adds one shared {@link Delivery} to their batches; the batches
 * go out once per poll. A binary-mode event of a type no
 * subscription matches is skipped after its headers, before its id, time and event are built: a node
 * that wants a few types of a busy topic pays little for the rest.
 */
public final class EventDispatcher implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(200);
    // while a backlog waits for a subscriber queue to drain, look again soon
    private static final Duration BACKLOG_POLL = Duration.ofMillis(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final long WARN_INVALID_EVERY = 100;

    private final Consumer<String, byte[]> consumer;
    private final Map<TopicPartition, PartitionProgress> partitions;
    private final EventRouter router;
    private final CloudEventCodec codec;
    private final DeadLetterWriter deadLetters;
    private final RoomSignal roomSignal;
    private final String groupId;
    private final long commitIntervalNanos;
    private final TopicPartition[] partitionOrder;
    private final PartitionProgress[] progressOrder;
    private volatile boolean running = true;
    /** partitions paused because a subscriber queue is full (consumer thread only) */
    private int pausedPartitions;
    private long invalidRecords;
    /** the route of the record being dispatched, when {@link #wanted} looked it up from its type header; else null */
    private EventRouter.Route headerRoute;
    /** asked by the codec with a binary-mode record's type, before it builds the event: no subscriber, no decoding */
    private final Predicate<String> wanted = this::routeHeaderType;

    /**
     * @param partitions every assigned partition with its start position and last committed offset
     * @param subscribers the live subscriptions (read at the start of every poll round)
     */
    public EventDispatcher(Consumer<String, byte[]> consumer, Map<TopicPartition, PartitionProgress> partitions,
            SubscriberSet subscribers, CloudEventCodec codec, DeadLetterWriter deadLetters, RoomSignal roomSignal,
            String groupId, Duration commitInterval) {
        this.consumer = consumer;
        this.partitions = Map.copyOf(partitions);
        this.partitionOrder = this.partitions.keySet().toArray(TopicPartition[]::new);
        this.progressOrder = new PartitionProgress[partitionOrder.length];
        for (int i = 0; i < partitionOrder.length; i++) {
            progressOrder[i] = this.partitions.get(partitionOrder[i]);
        }
        this.router = new EventRouter(subscribers);
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.roomSignal = roomSignal;
        this.groupId = groupId;
        this.commitIntervalNanos = commitInterval.toNanos();
    }

    @Override
    public void run() {
        roomSignal.consumerIs(Thread.currentThread());
        long nextCommit = System.nanoTime() + commitIntervalNanos;
        while (running) {
            try {
                ConsumerRecords<String, byte[]> records;
                if (pausedPartitions == partitionOrder.length) {
                    // nothing to fetch until a subscriber has room: sleep until one says so, then take what arrived
                    roomSignal.await(BACKLOG_POLL.toNanos());
                    records = consumer.poll(Duration.ZERO);
                } else {
                    records = consumer.poll(pausedPartitions > 0 ? BACKLOG_POLL : IDLE_POLL);
                }
                for (TopicPartition partition : records.partitions()) {
                    partitions.get(partition).backlog().addAll(records.records(partition));
                }
                if (!records.isEmpty() || pausedPartitions > 0) {
                    dispatchBacklogs();
                }
                if (System.nanoTime() - nextCommit >= 0) {
                    commit(false);
                    nextCommit = System.nanoTime() + commitIntervalNanos;
                }
            } catch (WakeupException | InterruptException e) {
                if (running) {
                    LOG.warn("Event consumer of group {} interrupted; stopping", groupId);
                    running = false;
                }
            } catch (RuntimeException e) {
                // keep the thread: without it this node would silently stop receiving events
                LOG.error("Event consumer of group {} failed; trying again in 1 s", groupId, e);
                pauseAfterError();
            }
        }
    }

    /** Makes {@link #run()} return soon; call from any thread. */
    public void stop() {
        running = false;
        consumer.wakeup();
        roomSignal.roomAgain();
    }

    /**
     * Commits what every subscriber finished and closes the consumer. Call after the consumer thread
     * has ended and the subscribers have stopped, so that the offsets are final.
     */
    public void commitAndClose() {
        try {
            commit(true);
        } catch (KafkaException e) {
            LOG.warn("Final offset commit of group {} failed; the node will see some events again: {}", groupId, e.toString());
        } finally {
            // nothing left to hand over: offsets are committed above and assign() joined no group;
            // a grace period would only wait for the idle long-poll fetch (up to fetch.max.wait.ms)
            consumer.close(Duration.ZERO);
        }
    }

    private void dispatchBacklogs() {
        router.refresh();
        try {
            for (int i = 0; i < partitionOrder.length; i++) {
                dispatchBacklog(partitionOrder[i], progressOrder[i]);
            }
        } finally {
            // hand each subscriber everything of this round at once, in order
            router.flush();
        }
    }

    private void dispatchBacklog(TopicPartition partition, PartitionProgress progress) {
        progress.forgetFinished();
        Deque<ConsumerRecord<String, byte[]>> backlog = progress.backlog();
        ConsumerRecord<String, byte[]> record;
        while ((record = backlog.peekFirst()) != null && dispatch(progress, record)) {
            backlog.removeFirst();
        }
        boolean blocked = !backlog.isEmpty();
        if (blocked != progress.paused()) {
            if (blocked) {
                consumer.pause(List.of(partition));
                pausedPartitions++;
            } else {
                consumer.resume(List.of(partition));
                pausedPartitions--;
            }
            progress.paused(blocked);
        }
    }

    /** Hands one record to every matching subscriber; {@code false} when one of them has no room. */
    private boolean dispatch(PartitionProgress progress, ConsumerRecord<String, byte[]> record) {
        headerRoute = null;
        CloudEventCodec.Decoded decoded = codec.decode(record, wanted);
        if (decoded.unwanted()) {
            progress.skipped(record.offset());
            return true;
        }
        Event event = decoded.event();
        if (event == null) {
            rejectInvalid(progress, record, decoded.error());
            return true;
        }
        EventRouter.Route route = headerRoute != null ? headerRoute : router.route(event.type());
        if (route.subscribers() == 0) {
            progress.skipped(record.offset());
            return true;
        }
        if (!router.hasRoom(route)) {
            return false;
        }
        // the data is parsed here, ahead of the subscribers: several of them would meet on the first read (whoever
        // came second waited on the event's lock), and even for one the bus ran faster and spent less CPU this way,
        // the record's bytes still in this core's cache (docs/benchmarks.md, "Subscriptions on a few shared threads")
        try {
            event.data();
        } catch (RuntimeException e) {
            // the bus's own data never throws (it falls back to text); should one, each subscriber meets the error
            // again in its handler (Event tries again) and retries and dead-letters it there, not this thread
            LOG.debug("Could not read the data of event {} ahead of its subscribers: {}", event.id(), e.toString());
        }
        Delivery delivery = new Delivery(event, record, route.subscribers());
        progress.handedOut(delivery);
        router.add(route, delivery);
        return true;
    }

    private boolean routeHeaderType(String type) {
        headerRoute = router.route(type);
        return headerRoute.subscribers() > 0;
    }

    private void rejectInvalid(PartitionProgress progress, ConsumerRecord<String, byte[]> record, String reason) {
        invalidRecords++;
        if (invalidRecords == 1 || invalidRecords % WARN_INVALID_EVERY == 0) {
            LOG.warn("Skipped {} record(s) that are not CloudEvents (logged once per {}); latest {}-{}@{}: {}. "
                    + "They go to the dead-letter topic.", invalidRecords, WARN_INVALID_EVERY, record.topic(),
                    record.partition(), record.offset(), reason);
        }
        Delivery inFlight = new Delivery(null, record, 1);
        progress.handedOut(inFlight);
        deadLetters.invalid(record, groupId, reason).whenComplete((sent, e) -> {
            if (e != null) {
                LOG.error("Could not dead-letter record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
            }
            inFlight.done();
        });
    }

    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        partitions.forEach((partition, progress) -> {
            long committable = progress.committable();
            if (committable > progress.committed()) {
                offsets.put(partition, new OffsetAndMetadata(committable));
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        offsets.forEach((partition, offset) -> partitions.get(partition).committed(offset.offset()));
        if (sync) {
            consumer.commitSync(offsets, CLOSE_TIMEOUT);
            return;
        }
        consumer.commitAsync(offsets, (committed, e) -> {
            if (e != null) {
                LOG.warn("Offset commit of group {} failed, will retry: {}", groupId, e.toString());
                // runs on this thread (inside poll): safe to touch the progress objects
                committed.keySet().forEach(partition -> partitions.get(partition).committed(-1));
            }
        });
    }

    private static void pauseAfterError() {
        try {
            TimeUnit.SECONDS.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
