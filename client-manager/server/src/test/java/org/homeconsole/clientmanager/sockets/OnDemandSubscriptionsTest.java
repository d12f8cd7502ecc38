package org.homeconsole.clientmanager.sockets;

import static org.assertj.core.api.Assertions.assertThat;

import org.homeconsole.api.events.Subscription;
import org.homeconsole.testsupport.RecordingEventBus;
import org.junit.jupiter.api.Test;

class OnDemandSubscriptionsTest {

    private final RecordingEventBus bus = new RecordingEventBus();
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
}
