package org.homeconsole.clientmanager.sockets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.Subscription;
import org.junit.jupiter.api.Test;

class OnDemandSubscriptionsTest {

    private final CountingBus bus = new CountingBus();
    private final OnDemandSubscriptions feeds = new OnDemandSubscriptions(bus, "admin-stream-", event -> { });

    @Test
    void aPatternIsSubscribedWhileAnyHolderNeedsIt() {
        assertThat(feeds.subscribed("client.*")).isFalse();
        feeds.need("client.*");
        feeds.need("client.*");
        assertThat(bus.open()).extracting(Subscription::pattern).containsExactly("client.*");
        assertThat(bus.open()).extracting(Subscription::name).containsExactly("admin-stream-client");

        feeds.release("client.*");
        assertThat(feeds.subscribed("client.*")).isTrue();
        assertThat(bus.all).hasSize(1);
        feeds.release("client.*");
        assertThat(feeds.subscribed("client.*")).isFalse();
        assertThat(bus.open()).isEmpty();

        // needed again: a new subscription, which delivers from now on
        feeds.need("client.*");
        assertThat(bus.all).hasSize(2);
        assertThat(bus.open()).hasSize(1);
    }

    @Test
    void patternsAreCountedApartAndReleasingTheUnknownDoesNothing() {
        feeds.need("job.*");
        feeds.need("command.*");
        feeds.release("client.*");
        feeds.release("job.*");
        assertThat(bus.open()).extracting(Subscription::pattern).containsExactly("command.*");
    }

    @Test
    void closingEndsEverySubscriptionForGood() {
        feeds.need("job.*");
        feeds.need("client.*");
        feeds.close();
        assertThat(bus.open()).isEmpty();
        feeds.need("job.*");
        assertThat(bus.open()).isEmpty();
        assertThat(bus.all).hasSize(2);
    }

    /** Subscriptions that only remember whether they were closed. */
    static final class CountingBus implements EventBus {
        final List<FakeSubscription> all = new CopyOnWriteArrayList<>();

        List<FakeSubscription> open() {
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
            FakeSubscription subscription = new FakeSubscription(subscriber, pattern, handler);
            all.add(subscription);
            return subscription;
        }
    }

    static final class FakeSubscription implements Subscription {
        final String name;
        final String pattern;
        final EventHandler handler;
        volatile boolean closed;

        FakeSubscription(String name, String pattern, EventHandler handler) {
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
