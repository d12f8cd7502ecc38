package org.homeconsole.connector.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.node.NullNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer's wake-up when a full subscriber queue has room again: a signal is never lost, and a
 * subscriber gives it when its queue drains below half, whatever the capacity. The timeouts here only keep a
 * broken signal from hanging the build; nothing is timed.
 */
class RoomSignalTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    private final RoomSignal signal = new RoomSignal();
    private final SubscriberPool pool = new SubscriberPool("test", 1);

    @AfterEach
    void closePool() {
        pool.close();
    }

    @Test
    void shouldReturnAtOnceWhenSignalledBeforeWaiting() {
        // given
        signal.consumerIs(Thread.currentThread());
        signal.roomAgain();

        // when / then: an hour's wait ends at once
        assertTimeoutPreemptively(HANG_GUARD, () -> signal.await(TimeUnit.HOURS.toNanos(1)));
        assertThat(signal.takeSignal()).as("the signal is used up").isFalse();
    }

    @Test
    void shouldKeepASignalWhoseUnparkAnotherParkTookFirst() {
        // given: the unpark's permit goes to a park elsewhere on the consumer thread (a lock, Kafka's client)
        signal.consumerIs(Thread.currentThread());
        signal.roomAgain();
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));

        // when / then
        assertTimeoutPreemptively(HANG_GUARD, () -> signal.await(TimeUnit.HOURS.toNanos(1)));
    }

    @Test
    void shouldWakeAConsumerThatIsAlreadyWaiting() throws Exception {
        // given
        CountDownLatch waiting = new CountDownLatch(1);
        Thread consumer = new Thread(() -> {
            signal.consumerIs(Thread.currentThread());
            waiting.countDown();
            signal.await(TimeUnit.HOURS.toNanos(1));
        });
        consumer.start();
        waiting.await();

        // when
        signal.roomAgain();

        // then
        consumer.join(HANG_GUARD.toMillis());
        assertThat(consumer.isAlive()).isFalse();
    }

    @Test
    void shouldBeSignalledWhenAnEvenQueueDrainsFromHalfToEmpty() throws Exception {
        // capacity 16 holding 8, the case a mark at half (8) missed: it drains from 8, never from above it
        assertThat(signalledAfterDraining(16, 8)).isTrue();
    }

    @Test
    void shouldNotSignalWhileTheQueueStaysBelowTheMark() throws Exception {
        // capacity 16 (mark 7) holding 5
        assertThat(signalledAfterDraining(16, 5)).isFalse();
    }

    @Test
    void shouldSignalForAQueueOfOne() throws Exception {
        assertThat(signalledAfterDraining(1, 1)).isTrue();
    }

    /**
     * Hands a worker with {@code capacity} a batch of {@code queued} events, waits until it has given all the room
     * back, then stops it and waits for the turn in hand (so that whatever it signalled after giving the room back
     * has been signalled); returns whether it signalled.
     */
    private boolean signalledAfterDraining(int capacity, int queued) throws InterruptedException {
        List<Delivery> batch = deliveries(queued);
        SubscriberWorker worker = new SubscriberWorker("test", EventPattern.of("device.*"), event -> { }, capacity, 1,
                Duration.ZERO, new DeadLetterWriter(() -> null, "dlq"), signal, pool, w -> { });
        try {
            worker.enqueue(batch);
            long deadline = System.nanoTime() + HANG_GUARD.toNanos();
            while (worker.room() != capacity) {
                assertThat(System.nanoTime() - deadline).as("handled in time").isNegative();
                Thread.sleep(1);
            }
        } finally {
            worker.halt();
            assertThat(worker.awaitHalted(HANG_GUARD)).isTrue();
        }
        assertThat(batch).allMatch(Delivery::finished);
        return signal.takeSignal();
    }

    private static List<Delivery> deliveries(int count) {
        List<Delivery> batch = new ArrayList<>();
        IntStream.range(0, count).forEach(i -> batch.add(new Delivery(
                new Event("id-" + i, "device.added", "/test", Instant.EPOCH, null, null, NullNode.getInstance()),
                new ConsumerRecord<>("events", 0, i, null, "null".getBytes(StandardCharsets.UTF_8)), 1)));
        return List.copyOf(batch);
    }
}
