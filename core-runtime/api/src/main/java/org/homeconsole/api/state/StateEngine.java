package org.homeconsole.api.state;

import java.util.Map;
import java.util.Optional;

/**
 * Shared in-memory state of the running node: plugin status, system flags such as
 * {@code system.maintenance_mode} or {@code system.mode}, short-lived coordination data.
 * Not persistent — use {@link org.homeconsole.api.storage.Storage} for data that must survive.
 *
 * <p>Safe under concurrency. Any value may be stored; values should be JSON-friendly because each
 * change is published as a {@code state.changed} event {@code {"key", "value", "previous"}} keyed by
 * the state key (a deletion has no {@code value} and {@code "deleted": true}).
 */
public interface StateEngine {

    Optional<Object> get(String key);

    /** Typed read; empty when absent, {@link ClassCastException} when of another type. */
    default <T> Optional<T> get(String key, Class<T> type) {
        return get(key).map(type::cast);
    }

    /** Sets a value ({@code null} is refused: use {@link #delete}); returns the previous value. */
    Optional<Object> set(String key, Object value);

    /** Removes a key; {@code true} when it was present. */
    boolean delete(String key);

    /** A snapshot of every entry whose key starts with the prefix ({@code ""} for all), sorted by key. */
    Map<String, Object> list(String prefix);
}
