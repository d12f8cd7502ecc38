package org.homeconsole.runtime.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.events.EventPattern;

/**
 * The {@code events:} Camel component: routes subscribe to and publish on the kernel's {@link EventBus}.
 *
 * <ul>
 *   <li>{@code from: "events:device.*"} — a subscription (pattern syntax of {@link EventBus}); the route id
 *       names the subscriber. The body is the event data (a {@code Map}/{@code List}/value), headers
 *       {@value EventsEndpoint#TYPE}, {@value EventsEndpoint#KEY}, {@value EventsEndpoint#ID},
 *       {@value EventsEndpoint#SOURCE}, {@value EventsEndpoint#CORRELATION_ID} describe the event. A failing
 *       route gets the bus's retries and dead-letter topic.</li>
 *   <li>{@code to: "events:notification.requested"} — publishes the body as event data, keyed by the
 *       {@value EventsEndpoint#KEY} header when present; waits for the broker's acknowledgement.</li>
 * </ul>
 */
public final class EventsComponent extends DefaultComponent {

    private final EventBus bus;
    private final ObjectMapper mapper;

    public EventsComponent(EventBus bus, ObjectMapper mapper) {
        this.bus = bus;
        this.mapper = mapper;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        EventPattern.of(remaining);
        EventsEndpoint endpoint = new EventsEndpoint(uri, this, remaining, bus, mapper);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
