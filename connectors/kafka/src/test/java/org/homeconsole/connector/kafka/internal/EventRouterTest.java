package org.homeconsole.connector.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.NullNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventPattern;
import org.junit.jupiter.api.Test;

class EventRouterTest {

    private final SubscriberSet subscriptions = new SubscriberSet();
    private final EventRouter router = new EventRouter(subscriptions);

    @Test
    void shouldSendEachMatchingPatternGroupOneSharedBatch() {
        // given
        SubscriberWorker first = worker("first", "device.*", 10);
        SubscriberWorker second = worker("second", "device.*", 10);
        SubscriberWorker exact = worker("exact", "device.added", 10);
        worker("other", "light.*", 10);
        router.refresh();

        // when
        EventRouter.Route route = router.route("device.added");
        Delivery delivery = new Delivery(event("device.added"), record(0), route.subscribers());
        router.add(route, delivery);
        router.flush();

        // then
        assertThat(route.subscribers()).isEqualTo(3);
        assertThat(router.route("light.on").subscribers()).isEqualTo(1);
        assertThat(router.route("door.open").subscribers()).isZero();
        assertThat(first.room()).isEqualTo(9);
        assertThat(second.room()).isEqualTo(9);
        assertThat(exact.room()).isEqualTo(9);
        delivery.done();
        delivery.done();
        assertThat(delivery.finished()).isFalse();
        delivery.done();
        assertThat(delivery.finished()).isTrue();
    }

    @Test
    void shouldHaveNoRoomOnceTheSmallestQueueIsFull() {
        // given
        worker("roomy", "device.*", 10);
        worker("small", "device.*", 2);
        router.refresh();
        EventRouter.Route route = router.route("device.added");

        // when
        List<Boolean> room = new ArrayList<>();
        for (int offset = 0; offset < 3; offset++) {
            boolean fits = router.hasRoom(route);
            room.add(fits);
            if (fits) {
                router.add(route, new Delivery(event("device.added"), record(offset), route.subscribers()));
            }
        }

        // then
        assertThat(room).containsExactly(true, true, false);
    }

    @Test
    void shouldSeeSubscriptionsAddedAndRemovedAtTheNextRefresh() {
        // given
        SubscriberWorker early = worker("early", "device.*", 10);
        router.refresh();
        assertThat(router.route("device.added").subscribers()).isEqualTo(1);

        // when
        worker("late", "*", 10);
        subscriptions.remove(early);
        router.refresh();

        // then
        assertThat(router.route("device.added").subscribers()).isEqualTo(1);
        assertThat(router.route("light.on").subscribers()).isEqualTo(1);
    }

    private SubscriberWorker worker(String name, String pattern, int capacity) {
        SubscriberWorker worker = new SubscriberWorker(name, EventPattern.of(pattern), event -> { }, capacity, 1, Duration.ZERO,
                new DeadLetterWriter(() -> null, "dlq"), new RoomSignal(),
                turn -> { }, subscriptions::remove); // turns never run: handed-over events stay queued
        subscriptions.add(worker);
        return worker;
    }

    private static Event event(String type) {
        return new Event("id", type, "/test", java.time.Instant.EPOCH, null, null, NullNode.getInstance());
    }

    private static ConsumerRecord<String, byte[]> record(long offset) {
        return new ConsumerRecord<>("events", 0, offset, null, "null".getBytes(StandardCharsets.UTF_8));
    }
}
