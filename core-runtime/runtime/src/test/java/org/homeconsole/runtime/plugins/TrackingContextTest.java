package org.homeconsole.runtime.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.Subscription;
import org.junit.jupiter.api.Test;

/** What the context remembers of a plugin's subscriptions: only the open ones, all closed when the plugin stops. */
class TrackingContextTest {

    /** The bus's own subscriptions, open or closed. */
    private final List<String> open = new ArrayList<>();

    private final EventBus bus = new EventBus() {
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
            open.add(subscriber);
            return new Subscription() {
                @Override
                public String name() {
                    return subscriber;
                }

                @Override
                public String pattern() {
                    return pattern;
                }

                @Override
                public void close() {
                    open.remove(subscriber);
                }
            };
        }
    };

    private final TrackingContext context = new TrackingContext("p", "node-1", bus, null, null, null, new ObjectMapper(),
            null, null);

    @Test
    void aSubscriptionClosedByThePluginIsForgotten() {
        for (int i = 0; i < 10_000; i++) {
            Subscription s = context.events().subscribe("admin-" + i, "job.*", event -> { });
            assertThat(s.name()).isEqualTo("p:admin-" + i);
            assertThat(s.pattern()).isEqualTo("job.*");
            s.close();
        }
        assertThat(context.openSubscriptions()).isZero();
        assertThat(open).isEmpty();
    }

    @Test
    void stoppingThePluginClosesWhatItLeftOpen() {
        context.events().subscribe("kept", "device.*", event -> { });
        context.events().subscribe("closed", "job.*", event -> { }).close();
        assertThat(context.openSubscriptions()).isEqualTo(1);

        context.releaseRuntimeResources();

        assertThat(open).isEmpty();
        assertThat(context.openSubscriptions()).isZero();
    }
}
