package org.homeconsole.connector.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of the compacted directory topic: which node holds which service. Records are
 * keyed by service name with value {@code {"node": "<nodeId>"}}; a tombstone (null value) removes
 * the name.
 */
public final class ServiceDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceDirectory.class);

    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final String topic;
    private final String nodeId;
    private final Predicate<String> isLocal;
    private final ObjectMapper mapper;

    public ServiceDirectory(String topic, String nodeId, Predicate<String> isLocal, ObjectMapper mapper) {
        this.topic = topic;
        this.nodeId = nodeId;
        this.isLocal = isLocal;
        this.mapper = mapper;
    }

    /** The node holding {@code name}, or {@code null}. */
    public String owner(String name) {
        return owners.get(name);
    }

    public Set<String> names() {
        return Set.copyOf(owners.keySet());
    }

    public List<String> namesOwnedBy(String node) {
        return owners.entrySet().stream().filter(e -> e.getValue().equals(node)).map(Map.Entry::getKey).toList();
    }

    /** Applies a record read from the directory topic (consumer thread). */
    public void apply(ConsumerRecord<String, byte[]> record) {
        String name = record.key();
        if (name == null) {
            return;
        }
        if (record.value() == null) {
            owners.remove(name);
            return;
        }
        String node = parseNode(record);
        if (node == null) {
            return;
        }
        if (!node.equals(nodeId) && isLocal.test(name)) {
            // two nodes registered the same name at the same moment; the later record wins the directory
            LOG.warn("Service {} is registered on this node ({}) and on node {}; calls from other nodes go to {}",
                    name, nodeId, node, node);
        }
        owners.put(name, node);
    }

    /** Notes our own registration at once, without waiting to read it back. */
    public void claim(String name) {
        owners.put(name, nodeId);
    }

    public void release(String name) {
        owners.remove(name, nodeId);
    }

    public ProducerRecord<String, byte[]> entry(String name) {
        byte[] value = mapper.createObjectNode().put("node", nodeId).toString().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, name, value);
    }

    public ProducerRecord<String, byte[]> tombstone(String name) {
        return new ProducerRecord<>(topic, name, null);
    }

    private String parseNode(ConsumerRecord<String, byte[]> record) {
        try {
            JsonNode node = mapper.readTree(record.value()).path("node");
            if (node.isTextual()) {
                return node.asText();
            }
        } catch (IOException e) {
            // reported below
        }
        LOG.warn("Ignoring directory entry {} at {}-{}@{}: value is not {{\"node\": ...}}", record.key(), record.topic(),
                record.partition(), record.offset());
        return null;
    }
}
