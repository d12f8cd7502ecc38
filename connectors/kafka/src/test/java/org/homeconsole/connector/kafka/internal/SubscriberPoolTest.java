package org.homeconsole.connector.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.NullNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.EventPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions that share the bus's few threads: each still gets its events in order and one at a time, a
 * handler that blocks holds up the others only until the pool has grown, and the pool gives the extra threads
 * back. The waits here only keep a broken pool from hanging the build; nothing is timed.
 */
class SubscriberPoolTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<SubscriberPool> pools = new ArrayList<>();
    private final List<SubscriberWorker> workers = new ArrayList<>();
    private final CountDownLatch unblock = new CountDownLatch(1);
    private long nextOffset;

    @AfterEach
    void stop() throws InterruptedException {
        unblock.countDown();
        for (SubscriberWorker worker : workers) {
            worker.halt();
            assertThat(worker.awaitHalted(WAIT)).isTrue();
        }
        pools.forEach(SubscriberPool::close);
    }

    @Test
    void shouldGiveEachSubscriptionItsEventsInOrderAndOneAtATime() {
        // given: more threads than subscriptions, so that two turns of one subscription could meet if they were let
        SubscriberPool pool = pool(4, SubscriberPool.STALL, SubscriberPool.IDLE);
        List<Queue<Long>> seen = new ArrayList<>();
        AtomicInteger overlaps = new AtomicInteger();
        List<SubscriberWorker> subscriptions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Queue<Long> offsets = new ConcurrentLinkedQueue<>();
            AtomicInteger inHandler = new AtomicInteger();
            seen.add(offsets);
            subscriptions.add(worker(pool, "ordered-" + i, event -> {
                if (inHandler.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                offsets.add(Long.parseLong(event.id()));
                Thread.yield();
                inHandler.decrementAndGet();
            }));
        }

        // when: 200 small batches, each handed to every subscription, as the consumer does once per poll
        List<Long> sent = new ArrayList<>();
        for (int batch = 0; batch < 200; batch++) {
            List<Delivery> deliveries = deliveries(5, subscriptions.size());
            deliveries.forEach(d -> sent.add(d.offset()));
            subscriptions.forEach(subscription -> subscription.enqueue(deliveries));
        }

        // then
        await().atMost(WAIT).until(() -> seen.stream().allMatch(offsets -> offsets.size() == sent.size()));
        assertThat(seen).allSatisfy(offsets -> assertThat(offsets).containsExactlyElementsOf(sent));
        assertThat(overlaps).as("turns of one subscription that overlapped").hasValue(0);
    }

    @Test
    void shouldGrowWhenAHandlerBlocksSoThatTheOthersGoOn() {
        // given: one thread, and a subscription whose handler blocks it
        SubscriberPool pool = pool(1, Duration.ofMillis(20), SubscriberPool.IDLE);
        CountDownLatch blocking = new CountDownLatch(1);
        SubscriberWorker stuck = worker(pool, "stuck", event -> {
            blocking.countDown();
            unblock.await();
        });
        Queue<String> handled = new ConcurrentLinkedQueue<>();
        SubscriberWorker healthy = worker(pool, "healthy", event -> handled.add(event.id()));
        stuck.enqueue(deliveries(1, 1));
        await().atMost(WAIT).until(() -> blocking.getCount() == 0);

        // when
        healthy.enqueue(deliveries(3, 1));

        // then: the healthy subscription gets its events while the other handler still blocks
        await().atMost(WAIT).until(() -> handled.size() == 3);
        assertThat(unblock.getCount()).as("still blocked").isEqualTo(1);
        assertThat(pool.threads()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldNotGrowWhileTurnsKeepFinishingHoweverLongTheyWait() {
        // given: one thread, and 30 subscriptions whose turns take 20 ms each: the last waits some 600 ms,
        // three times the stall, but a turn finishes every 20 ms
        SubscriberPool pool = pool(1, Duration.ofMillis(200), SubscriberPool.IDLE);
        AtomicInteger handled = new AtomicInteger();
        List<SubscriberWorker> subscriptions = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            subscriptions.add(worker(pool, "busy-" + i, event -> {
                Thread.sleep(20);
                handled.incrementAndGet();
            }));
        }

        // when
        subscriptions.forEach(subscription -> subscription.enqueue(deliveries(1, 1)));

        // then
        await().atMost(WAIT).until(() -> handled.get() == subscriptions.size());
        assertThat(pool.threads()).isEqualTo(1);
    }

    @Test
    void shouldGiveBackThreadsItAddedOnceTheyAreIdle() {
        // given: a pool that grew while two handlers blocked, so that a third subscription got its event
        SubscriberPool pool = pool(1, Duration.ofMillis(20), Duration.ofMillis(200));
        CountDownLatch blocking = new CountDownLatch(2);
        EventHandler blocks = event -> {
            blocking.countDown();
            unblock.await();
        };
        worker(pool, "first", blocks).enqueue(deliveries(1, 1));
        worker(pool, "second", blocks).enqueue(deliveries(1, 1));
        Queue<String> handled = new ConcurrentLinkedQueue<>();
        worker(pool, "third", event -> handled.add(event.id())).enqueue(deliveries(1, 1));
        await().atMost(WAIT).until(() -> handled.size() == 1);

        // when
        unblock.countDown();

        // then
        await().atMost(WAIT).until(() -> pool.threads() == 1);
    }

    @Test
    void shouldLeaveTheEventInHandForRedeliveryWhenTheBusStopsItsHandler() throws InterruptedException {
        // given: a handler that waits, and fails when interrupted (as blocking calls do)
        SubscriberPool pool = pool(1, SubscriberPool.STALL, SubscriberPool.IDLE);
        CountDownLatch blocking = new CountDownLatch(1);
        SubscriberWorker waiting = worker(pool, "waiting", event -> {
            blocking.countDown();
            new CountDownLatch(1).await();
        });
        List<Delivery> batch = deliveries(2, 1);
        waiting.enqueue(batch);
        await().atMost(WAIT).until(() -> blocking.getCount() == 0);

        // when
        waiting.halt();

        // then: neither dead-lettered (which would finish it) nor dropped: the node gets both again after a restart
        assertThat(waiting.awaitHalted(WAIT)).isTrue();
        assertThat(batch).noneMatch(Delivery::finished);
    }

    private SubscriberPool pool(int threads, Duration stall, Duration idle) {
        SubscriberPool pool = new SubscriberPool("test", threads, stall, idle);
        pools.add(pool);
        return pool;
    }

    private SubscriberWorker worker(SubscriberPool pool, String name, EventHandler handler) {
        SubscriberWorker worker = new SubscriberWorker(name, EventPattern.of("device.*"), handler, 100_000, 1, Duration.ZERO,
                new DeadLetterWriter(() -> null, "dlq"), new RoomSignal(), pool, w -> { });
        workers.add(worker);
        return worker;
    }

    /** {@code count} deliveries with the next offsets, each for {@code subscribers} subscriptions; the id is the offset */
    private List<Delivery> deliveries(int count, int subscribers) {
        List<Delivery> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long offset = nextOffset++;
            batch.add(new Delivery(new Event(Long.toString(offset), "device.added", "/test", Instant.EPOCH, null, null,
                    NullNode.getInstance()), new ConsumerRecord<>("events", 0, offset, null,
                    "null".getBytes(StandardCharsets.UTF_8)), subscribers));
        }
        return List.copyOf(batch);
    }
}
