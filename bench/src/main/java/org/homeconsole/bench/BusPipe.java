package org.homeconsole.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.homeconsole.connector.kafka.KafkaEventBus;
import org.homeconsole.connector.kafka.KafkaEventBusSettings;

/**
 * The {@link KafkaEventBus} as a plugin uses it: {@code publish(type, key, data)} with a record as
 * data, and {@code subscribers} subscriptions to that type, each with its own {@link Receiver}.
 */
final class BusPipe implements Pipe {

    private final KafkaEventBus bus;
    private final List<Receiver> receivers = new ArrayList<>();
    private final String name;

    /** Not a Kafka client property: in {@code --bus-client} or {@code --bus-variant}, the bus's {@code subscriberThreads}. */
    static final String SUBSCRIBER_THREADS = "subscriber.threads";

    /**
     * Starts a bus on fresh topics {@code topic} and {@code topic.dlq} with the bus's default settings
     * but {@code linger} and the extra Kafka client properties {@code client} (but {@value #SUBSCRIBER_THREADS}, a
     * setting of the bus); {@code variant} names an A/B variant in its name ({@code null} for none).
     */
    BusPipe(String bootstrap, String nodeId, String topic, int subscribers, Duration linger, Map<String, Object> client,
            Supplier<Receiver> receiverFactory, String variant) {
        this.name = "bus x" + subscribers + (variant == null ? "" : ", " + variant);
        Map<String, Object> kafka = new HashMap<>(client);
        Object threads = kafka.remove(SUBSCRIBER_THREADS);
        KafkaEventBusSettings settings = KafkaEventBusSettings.defaults(bootstrap, nodeId).withTopics(topic, topic + ".dlq")
                .withLinger(linger).withClientProperties(kafka);
        if (threads != null) {
            settings = settings.withSubscriberThreads(Integer.parseInt(threads.toString()));
        }
        bus = new KafkaEventBus(settings);
        for (int i = 0; i < subscribers; i++) {
            Receiver receiver = receiverFactory.get();
            receivers.add(receiver);
            bus.subscribe("bench-subscriber-" + i, Payload.TYPE, event -> {
                JsonNode data = event.data();
                receiver.delivered(data.get("seq").asLong(), data.get("t").asLong());
            });
        }
        bus.start();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(long seq, long intendedNanos, Acks acks) {
        bus.publish(Payload.TYPE, Payload.key(seq), Payload.reading(seq, intendedNanos))
                .whenComplete((event, e) -> acks.done(e));
    }

    @Override
    public List<Receiver> receivers() {
        return List.copyOf(receivers);
    }

    @Override
    public void close() {
        bus.close();
    }
}
