package org.homeconsole.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.homeconsole.connector.kafka.PlainKafkaClients.header;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.homeconsole.api.events.Event;
import org.homeconsole.testsupport.KafkaSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delivery guarantees of the bus against a real broker. */
class KafkaEventBusDeliveryIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<KafkaEventBus> buses = new ArrayList<>();

    @AfterEach
    void closeBuses() {
        buses.forEach(KafkaEventBus::close);
    }

    @Test
    void shouldKeepDeliveringToOthersAndDeadLetterAfterRetriesWhenSubscriberThrows() throws Exception {
        // given
        KafkaEventBusSettings settings = settings().withRetries(3, Duration.ofMillis(10));
        KafkaEventBus bus = bus(settings);
        Queue<String> healthy = new ConcurrentLinkedQueue<>();
        Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        bus.subscribe("test.healthy", "device.*", e -> healthy.add(e.id()));
        bus.subscribe("test.broken", "device.*", e -> {
            attempts.computeIfAbsent(e.id(), id -> new AtomicInteger()).incrementAndGet();
            throw new IllegalStateException("cannot handle " + e.type());
        });
        bus.start();

        // when
        Event first = bus.publish("device.added", "lamp", Map.of("n", 1)).get(30, TimeUnit.SECONDS);
        Event second = bus.publish("device.removed", "lamp", Map.of("n", 2)).get(30, TimeUnit.SECONDS);

        // then
        await().atMost(WAIT).untilAsserted(() -> assertThat(healthy).containsExactly(first.id(), second.id()));
        List<ConsumerRecord<String, byte[]>> dead = PlainKafkaClients.readAll(settings.deadLetterTopic(), 2);
        assertThat(attempts).containsOnlyKeys(first.id(), second.id());
        assertThat(attempts.values()).allSatisfy(count -> assertThat(count).hasValue(3));
        assertThat(dead).extracting(r -> header(r, "ce_id")).containsExactly(first.id(), second.id());
        ConsumerRecord<String, byte[]> record = dead.get(0);
        assertThat(record.key()).isEqualTo("lamp");
        assertThat(new String(record.value())).isEqualTo("{\"n\":1}");
        assertThat(header(record, "ce_type")).isEqualTo("device.added");
        assertThat(header(record, "hc_error_class")).isEqualTo(IllegalStateException.class.getName());
        assertThat(header(record, "hc_error_message")).isEqualTo("cannot handle device.added");
        assertThat(header(record, "hc_subscriber")).isEqualTo("test.broken");
        assertThat(header(record, "hc_attempts")).isEqualTo("3");
        assertThat(header(record, "hc_original_topic")).isEqualTo(settings.eventsTopic());
        assertThat(header(record, "hc_original_partition")).isNotNull();
        assertThat(header(record, "hc_original_offset")).isNotNull();
    }

    @Test
    void shouldKeepDeliveringToOthersWhileAHandlerBlocks() throws Exception {
        // given: one shared subscriber thread, and a subscription whose handler blocks on it until released
        KafkaEventBus bus = bus(settings().withSubscriberThreads(1));
        StuckAndHealthy subscriptions = new StuckAndHealthy(bus);
        Queue<String> stuck = subscriptions.stuck;
        Queue<String> healthy = subscriptions.healthy;
        CountDownLatch release = subscriptions.release;
        bus.start();
        Event first = bus.publish("device.added", "lamp", Map.of("n", 1)).get(30, TimeUnit.SECONDS);
        assertThat(subscriptions.blocked.await(30, TimeUnit.SECONDS)).as("the first handler blocks").isTrue();

        try {
            // when
            Event second = bus.publish("device.removed", "lamp", Map.of("n", 2)).get(30, TimeUnit.SECONDS);

            // then: the other subscription gets both events while the first handler still blocks
            await().atMost(WAIT).untilAsserted(() -> assertThat(healthy).containsExactly(first.id(), second.id()));
            assertThat(stuck).isEmpty();
            release.countDown();
            await().atMost(WAIT).untilAsserted(() -> assertThat(stuck).containsExactly(first.id(), second.id()));
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldShowItsSubscriptionsThreadsAndQueuesInJmxWhileItRuns() throws Exception {
        // given: one subscriber thread; one handler blocks, so the pool grows and its event stays queued
        KafkaEventBus bus = bus(settings().withSubscriberThreads(1));
        StuckAndHealthy subscriptions = new StuckAndHealthy(bus);
        CountDownLatch blocked = subscriptions.blocked;
        CountDownLatch release = subscriptions.release;
        Queue<String> healthy = subscriptions.healthy;
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = bus.mbeanName();
        assertThat(jmx.isRegistered(name)).as("registered before start").isFalse();
        bus.start();

        try {
            // when
            Event event = bus.publish("device.added", "lamp", Map.of("n", 1)).get(30, TimeUnit.SECONDS);
            assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(WAIT).untilAsserted(() -> assertThat(healthy).containsExactly(event.id()));

            // then
            assertThat(jmx.getAttribute(name, "NodeId")).isEqualTo(bus.settings().nodeId());
            assertThat(jmx.getAttribute(name, "EventsTopic")).isEqualTo(bus.settings().eventsTopic());
            assertThat((String[]) jmx.getAttribute(name, "Subscriptions"))
                    .containsExactlyInAnyOrder("test.stuck (device.*)", "test.healthy (device.*)");
            assertThat(jmx.getAttribute(name, "SubscriberThreadsBase")).isEqualTo(1);
            assertThat((Integer) jmx.getAttribute(name, "SubscriberThreads")).isGreaterThanOrEqualTo(2);
            assertThat(jmx.getAttribute(name, "QueuedEvents")).as("the event in the stuck handler").isEqualTo(1L);
            assertThat(jmx.getAttribute(name, "WaitingTurns")).isEqualTo(0);
        } finally {
            release.countDown();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(jmx.getAttribute(name, "QueuedEvents")).isEqualTo(0L));
        bus.close();
        assertThat(jmx.isRegistered(name)).as("registered after close").isFalse();
    }

    @Test
    void shouldDeliverTenThousandEventsOfOneKeyInOrder() throws Exception {
        // given: a small queue, so that the consumer has to pause and resume the partition on the way
        KafkaEventBus bus = bus(settings().withSubscriberQueueCapacity(64));
        List<Integer> seen = new ArrayList<>();
        bus.subscribe("test.ordered", "counter.incremented", e -> {
            synchronized (seen) {
                seen.add(e.data().get("seq").asInt());
            }
        });
        bus.start();

        // when
        List<CompletableFuture<Event>> acks = new ArrayList<>();
        for (int seq = 0; seq < 10_000; seq++) {
            acks.add(bus.publish("counter.incremented", "the-one-key", Map.of("seq", seq)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        // then
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            synchronized (seen) {
                assertThat(seen).hasSize(10_000);
            }
        });
        synchronized (seen) {
            assertThat(seen).containsExactlyElementsOf(IntStream.range(0, 10_000).boxed().toList());
        }
    }

    @Test
    void shouldDeliverEveryEventInKeyOrderWhenEveryPartitionWaitsForAFullQueue() throws Exception {
        // given: a queue of 16 and keys on every partition, so that the consumer pauses all of them and sleeps
        // until the subscriber has drained its queue to half (RoomSignal), over and over
        KafkaEventBus bus = bus(settings().withSubscriberQueueCapacity(16));
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        bus.subscribe("test.paused", "counter.incremented", e -> seen
                .computeIfAbsent(e.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                .add(e.data().get("seq").asInt()));
        bus.start();

        // when
        List<CompletableFuture<Event>> acks = new ArrayList<>();
        for (int seq = 0; seq < 5_000; seq++) {
            acks.add(bus.publish("counter.incremented", "key-" + (seq % 64), Map.of("seq", seq)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        // then: each key's events arrive, all of them, once, in the order published
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(seen.values().stream().mapToInt(List::size).sum()).isEqualTo(5_000));
        assertThat(seen).hasSize(64);
        for (int k = 0; k < 64; k++) {
            List<Integer> seqs = seen.get("key-" + k);
            synchronized (seqs) {
                assertThat(seqs).as("key-" + k).containsExactlyElementsOf(IntStream.iterate(k, seq -> seq < 5_000, seq -> seq + 64)
                        .boxed().toList());
            }
        }
    }

    @Test
    void shouldDeliverEventsMatchingWildcardPatterns() throws Exception {
        // given
        KafkaEventBus bus = bus(settings());
        Queue<String> all = new ConcurrentLinkedQueue<>();
        Queue<String> device = new ConcurrentLinkedQueue<>();
        Queue<String> deviceChanged = new ConcurrentLinkedQueue<>();
        Queue<String> lightOn = new ConcurrentLinkedQueue<>();
        bus.subscribe("test.all", "*", e -> all.add(e.type()));
        bus.subscribe("test.device", "device.*", e -> device.add(e.type()));
        bus.subscribe("test.device-changed", "device.*.changed", e -> deviceChanged.add(e.type()));
        bus.subscribe("test.light-on", "light.on", e -> lightOn.add(e.type()));
        bus.start();
        List<String> types = List.of("device.added", "device.lamp.changed", "device.lamp.state.changed", "light.on", "light.off");

        // when
        for (String type : types) {
            bus.publish(type, null).get(30, TimeUnit.SECONDS);
        }

        // then
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(all).containsExactlyInAnyOrderElementsOf(types);
            assertThat(device).containsExactlyInAnyOrder("device.added", "device.lamp.changed", "device.lamp.state.changed");
            assertThat(deviceChanged).containsExactly("device.lamp.changed");
            assertThat(lightOn).containsExactly("light.on");
        });
    }

    @Test
    void shouldGiveEverySubscriptionOfAnEventTheSameData() throws Exception {
        // given: three subscriptions with one pattern and one with another, each reading every event's data
        KafkaEventBus bus = bus(settings());
        List<Map<String, JsonNode>> readers = new ArrayList<>();
        for (String pattern : List.of("device.*", "device.*", "device.*", "*")) {
            Map<String, JsonNode> dataById = new ConcurrentHashMap<>();
            readers.add(dataById);
            bus.subscribe("test.reader-" + readers.size(), pattern, e -> dataById.put(e.id(), e.data()));
        }
        bus.start();

        // when
        for (int i = 0; i < 200; i++) {
            bus.publish("device.reading", "lamp-" + (i % 4), Map.of("n", i));
        }

        // then: one node per event, the published data, shared by the four (handlers must not modify it)
        await().atMost(WAIT).untilAsserted(() -> assertThat(readers).allSatisfy(dataById -> assertThat(dataById).hasSize(200)));
        Map<String, JsonNode> first = readers.get(0);
        assertThat(first.values()).extracting(data -> data.get("n").asInt())
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 200).boxed().toList());
        first.forEach((id, data) -> assertThat(readers).allSatisfy(dataById -> assertThat(dataById.get(id)).isSameAs(data)));
    }

    @Test
    void shouldSkipEventsNoSubscriptionWantsAndCommitPastThem() throws Exception {
        // given: a node that wants jobs only; audit events of the same key in between
        KafkaEventBusSettings settings = settings();
        KafkaEventBus publisher = bus(settings.withSource("/test/publisher"));
        KafkaEventBusSettings node = anotherNode(settings);
        Queue<String> jobs = new ConcurrentLinkedQueue<>();
        KafkaEventBus jobsOnly = bus(node);
        jobsOnly.subscribe("test.jobs", "job.*", e -> jobs.add(e.data().asText()));
        jobsOnly.start();
        publisher.start();

        // when: one key, so one partition in this order; the last job shows that every audit event before it was read
        for (String step : List.of("audit:x1", "job:a1", "audit:x2", "job:a2", "audit:x3", "job:a3")) {
            String[] typeAndData = step.split(":");
            publisher.publish(typeAndData[0] + ".done", "same-key", typeAndData[1]).get(30, TimeUnit.SECONDS);
        }

        // then: the jobs arrive in order, and the audit events are committed past, not left for a later subscription
        await().atMost(WAIT).untilAsserted(() -> assertThat(jobs).containsExactly("a1", "a2", "a3"));
        jobsOnly.close();
        publisher.publish("audit.done", "same-key", "x4").get(30, TimeUnit.SECONDS);
        Queue<String> audits = new ConcurrentLinkedQueue<>();
        KafkaEventBus restarted = bus(node);
        restarted.subscribe("test.audits", "audit.*", e -> audits.add(e.data().asText()));
        restarted.start();
        await().atMost(WAIT).untilAsserted(() -> assertThat(audits).containsExactly("x4"));
    }

    @Test
    void shouldResumeFromCommittedOffsetsAfterRestart() throws Exception {
        // given: one key, so that a replay of the first jobs would show before the later ones
        KafkaEventBusSettings settings = settings();
        KafkaEventBus publisher = bus(settings.withSource("/test/publisher"));
        KafkaEventBusSettings restartingNode = anotherNode(settings);
        Queue<String> beforeRestart = new ConcurrentLinkedQueue<>();
        KafkaEventBus node = new KafkaEventBus(restartingNode);
        node.subscribe("test.restart", "job.*", e -> beforeRestart.add(e.data().asText()));
        node.start();
        publisher.start();
        for (String job : List.of("a1", "a2", "a3")) {
            publisher.publish("job.done", "jobs", job).get(30, TimeUnit.SECONDS);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(beforeRestart).containsExactly("a1", "a2", "a3"));
        node.close();

        // when
        for (String job : List.of("b1", "b2", "b3")) {
            publisher.publish("job.done", "jobs", job).get(30, TimeUnit.SECONDS);
        }
        Queue<String> afterRestart = new ConcurrentLinkedQueue<>();
        KafkaEventBus restarted = bus(restartingNode);
        restarted.subscribe("test.restart", "job.*", e -> afterRestart.add(e.data().asText()));
        restarted.start();

        // then
        await().atMost(WAIT).untilAsserted(() -> assertThat(afterRestart).containsExactly("b1", "b2", "b3"));
    }

    @Test
    void shouldCommitWhatEverySubscriberOfASharedPatternHasHandled() throws Exception {
        // given: two subscriptions with one pattern (they share each record) and a third with another
        KafkaEventBusSettings settings = settings();
        KafkaEventBus publisher = bus(settings.withSource("/test/publisher"));
        KafkaEventBusSettings node = anotherNode(settings);
        Queue<String> first = new ConcurrentLinkedQueue<>();
        Queue<String> second = new ConcurrentLinkedQueue<>();
        Queue<String> all = new ConcurrentLinkedQueue<>();
        KafkaEventBus before = new KafkaEventBus(node);
        before.subscribe("test.first", "job.*", e -> first.add(e.data().asText()));
        before.subscribe("test.second", "job.*", e -> second.add(e.data().asText()));
        before.subscribe("test.all", "*", e -> all.add(e.data().asText()));
        before.start();
        publisher.start();
        for (String job : List.of("d1", "d2", "d3")) {
            publisher.publish("job.done", "jobs", job).get(30, TimeUnit.SECONDS);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(first).containsExactly("d1", "d2", "d3");
            assertThat(second).containsExactly("d1", "d2", "d3");
            assertThat(all).containsExactly("d1", "d2", "d3");
        });
        before.close();

        // when
        publisher.publish("job.done", "jobs", "d4").get(30, TimeUnit.SECONDS);
        Queue<String> afterRestart = new ConcurrentLinkedQueue<>();
        KafkaEventBus restarted = bus(node);
        restarted.subscribe("test.first", "job.*", e -> afterRestart.add(e.data().asText()));
        restarted.start();

        // then: what all three had handled was committed, so only the new event comes again
        await().atMost(WAIT).untilAsserted(() -> assertThat(afterRestart).containsExactly("d4"));
    }

    @Test
    void shouldHoldDeliveryUntilSubscribersAddedAfterStartAreReady() throws Exception {
        // given a node that knew the topic, then went down while events were published
        KafkaEventBusSettings settings = settings();
        KafkaEventBus publisher = bus(settings.withSource("/test/publisher"));
        KafkaEventBusSettings node = anotherNode(settings);
        bus(node).start().close();
        publisher.start();
        for (String job : List.of("c1", "c2")) {
            publisher.publish("job.done", "jobs", job).get(30, TimeUnit.SECONDS);
        }

        // when it starts without delivering, a subscriber arrives after start (as plugins do), then delivery begins
        KafkaEventBus restarted = bus(node).start(false);
        publisher.publish("job.done", "jobs", "c3").get(30, TimeUnit.SECONDS);
        Queue<String> received = new ConcurrentLinkedQueue<>();
        restarted.subscribe("test.late", "job.*", e -> received.add(e.data().asText()));
        restarted.deliver();

        // then it gets what was published while it was down and during start-up, in order
        await().atMost(WAIT).untilAsserted(() -> assertThat(received).containsExactly("c1", "c2", "c3"));
    }

    @Test
    void shouldFailPublishWhenBusIsNotStarted() {
        // given
        KafkaEventBus bus = bus(settings());

        // when
        CompletableFuture<Event> published = bus.publish("device.added", null);

        // then
        assertThatThrownBy(() -> published.get(1, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    /** Subscribes {@code test.stuck}, whose handler blocks until {@link #release} and then notes the event, and {@code test.healthy}. */
    private static final class StuckAndHealthy {
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Queue<String> stuck = new ConcurrentLinkedQueue<>();
        final Queue<String> healthy = new ConcurrentLinkedQueue<>();

        StuckAndHealthy(KafkaEventBus bus) {
            bus.subscribe("test.stuck", "device.*", e -> {
                blocked.countDown();
                release.await();
                stuck.add(e.id());
            });
            bus.subscribe("test.healthy", "device.*", e -> healthy.add(e.id()));
        }
    }

    private static KafkaEventBusSettings settings() {
        return KafkaEventBusSettings.defaults(KafkaSupport.bootstrapServers(), KafkaSupport.uniqueName("node"))
                .withTopics(KafkaSupport.uniqueName("events"), KafkaSupport.uniqueName("events-dlq"))
                .withPartitions(3, (short) -1);
    }

    /** A node of its own (its own consumer group) on the topics of {@code settings}. */
    private static KafkaEventBusSettings anotherNode(KafkaEventBusSettings settings) {
        return KafkaEventBusSettings.defaults(settings.bootstrapServers(), KafkaSupport.uniqueName("node"))
                .withTopics(settings.eventsTopic(), settings.deadLetterTopic())
                .withPartitions(3, (short) -1);
    }

    private KafkaEventBus bus(KafkaEventBusSettings settings) {
        KafkaEventBus bus = new KafkaEventBus(settings);
        buses.add(bus);
        return bus;
    }
}
