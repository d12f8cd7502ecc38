package org.homeconsole.connector.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.homeconsole.connector.kafka.internal.Checks;

/**
 * Configuration of a {@link KafkaServiceRegistry}. Start from {@link #defaults(String, String)}.
 *
 * @param bootstrapServers Kafka's {@code bootstrap.servers}
 * @param nodeId this process's stable id ({@code [A-Za-z0-9._-]+}); unique among the nodes sharing a directory
 * @param directoryTopic compacted topic saying which node holds which service
 * @param inboxTopicPrefix a node's requests and replies arrive on {@code <prefix><nodeId>}
 * @param callTimeout how long {@link KafkaServiceRegistry#call} waits for another node's answer
 * @param workerThreads threads that run calls arriving from other nodes
 * @param workerQueueCapacity calls from other nodes that may wait for a worker; beyond it they are refused
 * @param replicationFactor of the topics this registry creates; -1 takes the broker's default
 * @param clientProperties extra properties for every Kafka client (security, ...); win over the registry's own
 */
public record KafkaServiceRegistrySettings(
        String bootstrapServers,
        String nodeId,
        String directoryTopic,
        String inboxTopicPrefix,
        Duration callTimeout,
        int workerThreads,
        int workerQueueCapacity,
        short replicationFactor,
        Map<String, Object> clientProperties) {

    public static final String DEFAULT_DIRECTORY_TOPIC = "homeconsole.services";
    public static final String DEFAULT_INBOX_TOPIC_PREFIX = "homeconsole.rpc.";

    public KafkaServiceRegistrySettings {
        Checks.notBlank("bootstrapServers", bootstrapServers);
        Checks.nodeId("nodeId", nodeId);
        Checks.topic("directoryTopic", directoryTopic);
        Objects.requireNonNull(inboxTopicPrefix, "inboxTopicPrefix");
        Checks.topic("inboxTopicPrefix", inboxTopicPrefix + nodeId);
        Checks.positive("callTimeout", callTimeout);
        Checks.positive("workerThreads", workerThreads);
        Checks.positive("workerQueueCapacity", workerQueueCapacity);
        if (replicationFactor == 0 || replicationFactor < -1) {
            throw new IllegalArgumentException("Kafka service registry setting 'replicationFactor' must be -1 (broker default) or positive, was " + replicationFactor);
        }
        clientProperties = Map.copyOf(Objects.requireNonNull(clientProperties, "clientProperties"));
    }

    /** Directory {@value #DEFAULT_DIRECTORY_TOPIC}, inboxes {@value #DEFAULT_INBOX_TOPIC_PREFIX}<nodeId>, 10 s timeout, 4 workers. */
    public static KafkaServiceRegistrySettings defaults(String bootstrapServers, String nodeId) {
        return new KafkaServiceRegistrySettings(bootstrapServers, nodeId, DEFAULT_DIRECTORY_TOPIC, DEFAULT_INBOX_TOPIC_PREFIX,
                Duration.ofSeconds(10), 4, 1_000, (short) -1, Map.of());
    }

    /** The inbox topic of a node. */
    public String inboxTopic(String node) {
        return inboxTopicPrefix + node;
    }

    public KafkaServiceRegistrySettings withTopics(String directoryTopic, String inboxTopicPrefix) {
        return new KafkaServiceRegistrySettings(bootstrapServers, nodeId, directoryTopic, inboxTopicPrefix, callTimeout,
                workerThreads, workerQueueCapacity, replicationFactor, clientProperties);
    }

    public KafkaServiceRegistrySettings withCallTimeout(Duration callTimeout) {
        return new KafkaServiceRegistrySettings(bootstrapServers, nodeId, directoryTopic, inboxTopicPrefix, callTimeout,
                workerThreads, workerQueueCapacity, replicationFactor, clientProperties);
    }

    public KafkaServiceRegistrySettings withWorkers(int workerThreads, int workerQueueCapacity) {
        return new KafkaServiceRegistrySettings(bootstrapServers, nodeId, directoryTopic, inboxTopicPrefix, callTimeout,
                workerThreads, workerQueueCapacity, replicationFactor, clientProperties);
    }

    public KafkaServiceRegistrySettings withReplicationFactor(short replicationFactor) {
        return new KafkaServiceRegistrySettings(bootstrapServers, nodeId, directoryTopic, inboxTopicPrefix, callTimeout,
                workerThreads, workerQueueCapacity, replicationFactor, clientProperties);
    }

    public KafkaServiceRegistrySettings withClientProperties(Map<String, Object> clientProperties) {
        return new KafkaServiceRegistrySettings(bootstrapServers, nodeId, directoryTopic, inboxTopicPrefix, callTimeout,
                workerThreads, workerQueueCapacity, replicationFactor, clientProperties);
    }
}
