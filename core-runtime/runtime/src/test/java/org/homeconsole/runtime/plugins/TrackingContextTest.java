package org.homeconsole.runtime.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.homeconsole.api.events.Subscription;
import org.homeconsole.testsupport.RecordingEventBus;
import org.junit.jupiter.api.Test;

/** What the context remembers of a plugin's subscriptions: only the open ones, all closed when the plugin stops. */
class TrackingContextTest {

    /** The bus's own subscriptions, open or closed. */
    private final RecordingEventBus bus = new RecordingEventBus();

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
        assertThat(bus.open()).isEmpty();
    }

    @Test
    void stoppingThePluginClosesWhatItLeftOpen() {
        context.events().subscribe("kept", "device.*", event -> { });
        context.events().subscribe("closed", "job.*", event -> { }).close();
        assertThat(context.openSubscriptions()).isEqualTo(1);

        context.releaseRuntimeResources();

        assertThat(bus.open()).isEmpty();
        assertThat(context.openSubscriptions()).isZero();
    }
}
