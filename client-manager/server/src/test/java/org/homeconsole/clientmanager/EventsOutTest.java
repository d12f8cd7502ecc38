package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.Subscription;
import org.junit.jupiter.api.Test;

/** The client manager's publisher: order, bursts held for the window, what close does, and a full queue. */
class EventsOutTest {

    private final List<String> published = Collections.synchronizedList(new ArrayList<>());

    @Test
    void publishesInOrderOfCalls() {
        try (EventsOut out = new EventsOut(bus(null), "t", Duration.ZERO)) {
            for (int i = 0; i < 1_000; i++) {
                out.publish("job.created", "k" + i, null);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> published.size() == 1_000);
        }
        for (int i = 0; i < 1_000; i++) {
            assertThat(published.get(i)).isEqualTo("job.created/k" + i);
        }
    }

    @Test
    void holdsABurstForTheWindowAndCloseSendsWhatIsQueued() throws InterruptedException {
        EventsOut out = new EventsOut(bus(null), "t", Duration.ofMinutes(10));
        out.publish("client.connected", "a", null);
        out.publish("job.created", "b", null);
        out.publish("job.completed", "b", null);
        Thread.sleep(200);
        assertThat(published).as("the first event waits for the window, the others join it").isEmpty();

        out.close();

        assertThat(published).containsExactly("client.connected/a", "job.created/b", "job.completed/b");
        out.publish("job.created", "late", null);
        assertThat(published).as("nothing is taken after close").hasSize(3);
    }

    @Test
    void dropsWhatDoesNotFitWhileTheBusIsStuckAndKeepsTheRest() {
        CountDownLatch stuck = new CountDownLatch(1);
        try (EventsOut out = new EventsOut(bus(stuck), "t", Duration.ZERO)) {
            out.publish("job.created", "first", null);
            await().atMost(Duration.ofSeconds(10)).until(() -> published.size() == 1);
            for (int i = 0; i < EventsOut.QUEUE + 10; i++) {
                out.publish("job.created", "k" + i, null);
            }
            stuck.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> published.size() == 1 + EventsOut.QUEUE);
        }
        assertThat(published.get(1)).isEqualTo("job.created/k0");
        assertThat(published.get(EventsOut.QUEUE)).isEqualTo("job.created/k" + (EventsOut.QUEUE - 1));
    }

    /** Records "type/key"; the first publish blocks until {@code stuck} opens, as a producer without a broker does. */
    private EventBus bus(CountDownLatch stuck) {
        return new EventBus() {
            @Override
            public CompletableFuture<Event> publish(String type, String key, Object data) {
                published.add(type + "/" + key);
                if (stuck != null && published.size() == 1) {
                    try {
                        stuck.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Event> publish(Event event) {
                return publish(event.type(), event.key(), event.data());
            }

            @Override
            public Subscription subscribe(String subscriber, String pattern, EventHandler handler) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
