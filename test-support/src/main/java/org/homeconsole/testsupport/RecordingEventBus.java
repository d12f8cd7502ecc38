package org.homeconsole.testsupport;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.Subscription;

/**
 * An {@link EventBus} for unit tests of code that subscribes and unsubscribes (plugin contexts, on-demand
 * feeds): it remembers every subscription and whether it was closed, and hands events to a handler only
 * when a test calls it. Publishing is not supported; tests of delivery use the real bus on Kafka.
 */
public final class RecordingEventBus implements EventBus {

    /** Every subscription made, open or closed, in order. */
    public final List<RecordedSubscription> all = new CopyOnWriteArrayList<>();

    /** The subscriptions not closed yet. */
    public List<RecordedSubscription> open() {
        return all.stream().filter(s -> !s.closed).toList();
    }

    @Override
    public CompletableFuture<Event> publish(String type, String key, Object data) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Event> publish(Event event) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Subscription subscribe(String subscriber, String pattern, EventHandler handler) {
        RecordedSubscription subscription = new RecordedSubscription(subscriber, pattern, handler);
        all.add(subscription);
        return subscription;
    }

    /** A subscription that only remembers whether it was closed; call {@link #handler} to deliver. */
    public static final class RecordedSubscription implements Subscription {
        public final String name;
        public final String pattern;
        public final EventHandler handler;
        public volatile boolean closed;

        RecordedSubscription(String name, String pattern, EventHandler handler) {
            this.name = name;
            this.pattern = pattern;
            this.handler = handler;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String pattern() {
            return pattern;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
