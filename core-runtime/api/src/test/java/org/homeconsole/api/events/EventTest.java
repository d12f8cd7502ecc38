package org.homeconsole.api.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EventTest {

    private static final Instant TIME = Instant.parse("2026-03-04T05:06:07.123Z");

    @Test
    void shouldMakeLazyDataOnceForEveryThread() throws Exception {
        // given
        AtomicInteger made = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        Event event = Event.withLazyData("id-1", "device.added", "/test", TIME, "lamp", null, () -> {
            made.incrementAndGet();
            return JsonNodeFactory.instance.objectNode().put("n", 1);
        });
        List<JsonNode> seen = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread reader = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                JsonNode data = event.data();
                synchronized (seen) {
                    seen.add(data);
                }
            });
            reader.start();
            readers.add(reader);
        }

        // when
        start.countDown();
        for (Thread reader : readers) {
            reader.join(10_000);
        }

        // then
        assertThat(made).hasValue(1);
        assertThat(seen).hasSize(8).allSatisfy(data -> assertThat(data).isSameAs(seen.get(0)));
        assertThat(seen.get(0).get("n").asInt()).isEqualTo(1);
    }

    @Test
    void shouldTryLazyDataAgainAfterItFailed() {
        // given
        AtomicInteger calls = new AtomicInteger();
        Event event = Event.withLazyData("id-1", "device.added", "/test", TIME, null, null, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("not yet");
            }
            return IntNode.valueOf(7);
        });

        // when / then
        assertThatThrownBy(event::data).isInstanceOf(IllegalStateException.class);
        assertThat(event.data()).isEqualTo(IntNode.valueOf(7));
        assertThat(calls).hasValue(2);
    }

    @Test
    void shouldCompareLazyAndEagerEventsByValue() {
        // given
        Event eager = new Event("id-1", "device.added", "/test", TIME, "lamp", "corr", IntNode.valueOf(1));
        Event lazy = Event.withLazyData("id-1", "device.added", "/test", TIME, "lamp", "corr", () -> IntNode.valueOf(1));
        Event other = new Event("id-1", "device.added", "/test", TIME, "lamp", "corr", IntNode.valueOf(2));

        // when / then
        assertThat(lazy).isEqualTo(eager).hasSameHashCodeAs(eager).isNotEqualTo(other);
        assertThat(lazy).hasToString("Event[id=id-1, type=device.added, source=/test, time=2026-03-04T05:06:07.123Z, key=lamp, "
                + "correlationId=corr, data=1]");
    }

    @Test
    void shouldRefuseMissingAttributes() {
        assertThatThrownBy(() -> new Event("id", "t", "/s", TIME, null, null, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("data");
        assertThatThrownBy(() -> Event.of(null, "/s", null, null, NullNode.getInstance())).isInstanceOf(NullPointerException.class)
                .hasMessage("type");
        assertThatThrownBy(() -> Event.withLazyData("t", "/s", null, null, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("data");
    }

    @Test
    void shouldGiveNewEventsAUniqueIdAndTheCurrentTime() throws Exception {
        // given
        Instant before = Instant.now();

        // when: events made on several threads at once
        Event event = Event.of("device.added", "/test", null, null, NullNode.getInstance());
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<List<String>>> made = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            made.add(threads.submit(() -> IntStream.range(0, 10_000)
                    .mapToObj(i -> Event.withLazyData("t", "/s", null, null, NullNode::getInstance).id()).toList()));
        }
        Set<String> ids = new HashSet<>();
        for (Future<List<String>> list : made) {
            ids.addAll(list.get(10, TimeUnit.SECONDS));
        }
        threads.shutdown();

        // then: this JVM's prefix (64 random bits in base 32) and a counter, never the same twice
        assertThat(event.id()).matches("[0-9a-v]{1,13}-[0-9a-v]+");
        String prefix = event.id().substring(0, event.id().indexOf('-') + 1);
        assertThat(ids).hasSize(40_000).allMatch(id -> id.startsWith(prefix)).doesNotContain(event.id());
        assertThat(event.time()).isBetween(before, Instant.now());
    }
}
