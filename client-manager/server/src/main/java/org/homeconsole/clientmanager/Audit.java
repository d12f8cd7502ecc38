package org.homeconsole.clientmanager;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.homeconsole.api.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security-relevant happenings (refused tokens, refused commands, refused admin keys): each is an
 * {@code audit.<kind>} event on the bus, for any Kafka consumer, and a record in Storage
 * {@code client_manager.audit} (written behind, in batches).
 */
public final class Audit {

    static final String NAMESPACE = "client_manager.audit";
    private static final Logger LOG = LoggerFactory.getLogger(Audit.class);

    private final String nodeId;
    private final EventsOut events;
    private final ObjectMapper mapper;
    private final WriteBehind unsaved;

    public Audit(String nodeId, EventsOut events, Storage storage, ObjectMapper mapper) {
        this.nodeId = nodeId;
        this.events = events;
        this.mapper = mapper;
        this.unsaved = new WriteBehind(storage, NAMESPACE);
    }

    /** Records one happening, e.g. {@code record("command.refused", "agent-1", Map.of("reason", ...))}. */
    public void record(String kind, String agentId, Map<String, ?> details) {
        Instant now = Instant.now();
        String id = now.toString() + "-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode entry = mapper.createObjectNode().put("id", id).put("kind", kind).put("at", now.toString())
                .put("node", nodeId);
        if (agentId != null) {
            entry.put("agent_id", agentId);
        }
        entry.set("details", mapper.valueToTree(details));
        LOG.info("Audit {}: agent={} {}", kind, agentId, details);
        unsaved.put(id, entry);
        events.publish("audit." + kind, agentId != null ? agentId : nodeId, entry);
    }

    /** Writes what is not stored yet (called periodically and at stop). */
    public void flush() {
        unsaved.flush();
    }
}
