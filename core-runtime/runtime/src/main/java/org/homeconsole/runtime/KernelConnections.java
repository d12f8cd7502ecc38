package org.homeconsole.runtime;

import java.util.List;
import org.homeconsole.connector.kafka.KafkaEventBus;
import org.homeconsole.connector.kafka.KafkaEventBusSettings;
import org.homeconsole.connector.kafka.KafkaServiceRegistry;
import org.homeconsole.connector.kafka.KafkaServiceRegistrySettings;
import org.homeconsole.runtime.config.Settings;
import org.homeconsole.runtime.config.SettingsException;

/**
 * The kernel services that live on Kafka — the EventBus and the ServiceRegistry — opened with the topic
 * names derived from {@code HOMECONSOLE_TOPIC_PREFIX}, and closed together.
 */
final class KernelConnections implements AutoCloseable {

    private final KafkaEventBus events;
    private final KafkaServiceRegistry services;

    private KernelConnections(KafkaEventBus events, KafkaServiceRegistry services) {
        this.events = events;
        this.services = services;
    }

    static KernelConnections open(Settings settings, String bootstrapServers) {
        KafkaEventBus events = new KafkaEventBus(KafkaEventBusSettings.defaults(bootstrapServers, settings.nodeId())
                .withTopics(settings.eventsTopic(), settings.deadLetterTopic())
                .withPartitions(settings.eventPartitions(), (short) -1)
                .withCompression(settings.eventCompression())
                .withSubscriberThreads(settings.eventSubscriberThreads())
                .withSource("/homeconsole/" + settings.nodeId()));
        try {
            // delivery begins once plugins and route files have subscribed (deliverEvents)
            events.start(false);
            KafkaServiceRegistry services = new KafkaServiceRegistry(
                    KafkaServiceRegistrySettings.defaults(bootstrapServers, settings.nodeId())
                            .withTopics(settings.topicPrefix() + ".services", settings.topicPrefix() + ".rpc.")
                            .withCallTimeout(settings.serviceCallTimeout()));
            services.start();
            return new KernelConnections(events, services);
        } catch (RuntimeException e) {
            events.close();
            throw new SettingsException(settings.embeddedKafka() ? "HOMECONSOLE_KAFKA_PORT" : "KAFKA_BOOTSTRAP_SERVERS",
                    "cannot use Kafka at " + bootstrapServers + ": " + e.getMessage());
        }
    }

    KafkaEventBus events() {
        return events;
    }

    KafkaServiceRegistry services() {
        return services;
    }

    /** Starts event delivery; subscribers made before this also get what arrived while the node was down. */
    void deliverEvents() {
        events.deliver();
    }

    /** Why the Kafka side is not ready; empty when it is. */
    List<String> reasonsNotReady() {
        return List.of();
    }

    @Override
    public void close() {
        services.close();
        events.close();
    }
}
