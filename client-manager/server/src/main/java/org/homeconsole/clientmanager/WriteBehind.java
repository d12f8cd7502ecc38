package org.homeconsole.clientmanager;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.homeconsole.api.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records waiting to be written to one Storage namespace, written together by {@link #flush} in one
 * {@link Storage#setAll} (one transaction) instead of one commit each. A failed flush keeps them for the
 * next one. Thread-safe.
 */
public final class WriteBehind {

    private static final Logger LOG = LoggerFactory.getLogger(WriteBehind.class);

    private final Storage storage;
    private final String namespace;
    private final Map<String, JsonNode> unsaved = new LinkedHashMap<>();

    public WriteBehind(Storage storage, String namespace) {
        this.storage = storage;
        this.namespace = namespace;
    }

    public void put(String key, JsonNode value) {
        synchronized (unsaved) {
            unsaved.put(key, value);
        }
    }

    /** A record not written yet, if any. */
    public Optional<JsonNode> pending(String key) {
        synchronized (unsaved) {
            return Optional.ofNullable(unsaved.get(key));
        }
    }

    public void flush() {
        Map<String, JsonNode> batch;
        synchronized (unsaved) {
            if (unsaved.isEmpty()) {
                return;
            }
            batch = new LinkedHashMap<>(unsaved);
        }
        try {
            storage.setAll(namespace, batch);
            synchronized (unsaved) {
                batch.forEach((key, value) -> unsaved.remove(key, value));
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not store {} records in {} (will retry): {}", batch.size(), namespace, e.toString());
        }
    }
}
