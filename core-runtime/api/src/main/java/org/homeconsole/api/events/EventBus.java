package org.homeconsole.api.events;

import java.util.concurrent.CompletableFuture;

/**
 * Publish/subscribe between plugins, carried by Kafka.
 *
 * <p>Guarantees: delivery is asynchronous; every subscription whose pattern matches gets every
 * event; events with the same key arrive in the order they were published; a subscriber that
 * fails never affects the other subscribers or the publisher — after bounded retries its event is
 * written to the dead-letter topic with the error.
 *
 * <p>Patterns: an exact type ({@code device.state_changed}); {@code *} as a whole segment matches
 * one segment ({@code device.*.changed}); a trailing {@code *} segment matches one or more segments
 * ({@code device.*}); {@code *} alone matches every event.
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public interface EventBus {

    /**
     * Publishes an event without a key (no ordering between such events).
     *
     * @param data anything Jackson can turn into JSON
     * @return completes with the event once the broker has acknowledged it, or exceptionally
     */
    default CompletableFuture<Event> publish(String type, Object data) {
        return publish(type, null, data);
    }

    /** Publishes an event with a key; events of one key keep their order. */
    CompletableFuture<Event> publish(String type, String key, Object data);

    /** Publishes a ready-made event (e.g. to keep a correlation id). */
    CompletableFuture<Event> publish(Event event);

    /**
     * Subscribes a handler to a type or pattern.
     *
     * @param subscriber a stable name for this subscriber (e.g. {@code devices.on-state});
     *                   it labels dead-letter records
     */
    Subscription subscribe(String subscriber, String pattern, EventHandler handler);
}
