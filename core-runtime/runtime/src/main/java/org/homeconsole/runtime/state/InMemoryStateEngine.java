package org.homeconsole.runtime.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.state.StateEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link StateEngine}: a sorted concurrent map, plus a {@code state.changed} event per change.
 *
 * <p>A change and its event are made under a per-key stripe lock, so the events of one key reach the
 * bus in the order the changes happened (they are keyed by the state key, so Kafka keeps that order).
 */
public final class InMemoryStateEngine implements StateEngine {

    public static final String STATE_CHANGED = "state.changed";
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryStateEngine.class);
    private static final int STRIPES = 64;

    private final ConcurrentNavigableMap<String, Object> values = new ConcurrentSkipListMap<>();
    private final Object[] locks = new Object[STRIPES];
    private final EventBus events;
    private final ObjectMapper mapper;

    public InMemoryStateEngine(EventBus events, ObjectMapper mapper) {
        this.events = events;
        this.mapper = mapper;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    @Override
    public Optional<Object> get(String key) {
        return Optional.ofNullable(values.get(checkKey(key)));
    }

    @Override
    public Optional<Object> set(String key, Object value) {
        checkKey(key);
        Objects.requireNonNull(value, "value (use delete to remove a key)");
        synchronized (lockFor(key)) {
            Object previous = values.put(key, value);
            publish(key, value, previous, false);
            return Optional.ofNullable(previous);
        }
    }

    @Override
    public boolean delete(String key) {
        checkKey(key);
        synchronized (lockFor(key)) {
            Object previous = values.remove(key);
            if (previous != null) {
                publish(key, null, previous, true);
            }
            return previous != null;
        }
    }

    @Override
    public Map<String, Object> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        Map<String, Object> snapshot = new LinkedHashMap<>();
        ConcurrentNavigableMap<String, Object> view = prefix.isEmpty() ? values : values.subMap(prefix, true, prefix + Character.MAX_VALUE, true);
        view.forEach(snapshot::put);
        return Collections.unmodifiableMap(snapshot);
    }

    private void publish(String key, Object value, Object previous, boolean deleted) {
        ObjectNode data = mapper.createObjectNode();
        data.put("key", key);
        if (!deleted) {
            data.set("value", toJson(value));
        }
        data.set("previous", previous == null ? mapper.nullNode() : toJson(previous));
        if (deleted) {
            data.put("deleted", true);
        }
        events.publish(STATE_CHANGED, key, data).exceptionally(error -> {
            LOG.warn("Could not publish {} for '{}': {}", STATE_CHANGED, key, error.toString());
            return null;
        });
    }

    private JsonNode toJson(Object value) {
        try {
            return mapper.valueToTree(value);
        } catch (IllegalArgumentException e) {
            return mapper.getNodeFactory().textNode(String.valueOf(value));
        }
    }

    private Object lockFor(String key) {
        return locks[(key.hashCode() & 0x7fffffff) % STRIPES];
    }

    private static String checkKey(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("state key must not be blank");
        }
        return key;
    }
}
