package org.homeconsole.api.storage;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * The only way to the database: JSON values under {@code namespace + key}.
 *
 * <p>Namespaces and keys are non-empty strings of at most 255 characters. Values are any JSON
 * (object, array, string, number, boolean, null). Writes are durable when the method returns.
 * Safe under concurrency.
 */
public interface Storage {

    /** Creates or replaces the value. */
    void set(String namespace, String key, JsonNode value);

    /**
     * Creates or replaces several values of one namespace at once: all of them or, on error, none.
     * Adapters write them in one transaction, which is much cheaper than one {@link #set} each.
     */
    default void setAll(String namespace, java.util.Map<String, ? extends JsonNode> values) {
        values.forEach((key, value) -> set(namespace, key, value));
    }

    Optional<JsonNode> get(String namespace, String key);

    /** The keys of a namespace, sorted; empty when the namespace has none. */
    List<String> listKeys(String namespace);

    /** Removes a value; {@code true} when it existed. */
    boolean delete(String namespace, String key);
}
