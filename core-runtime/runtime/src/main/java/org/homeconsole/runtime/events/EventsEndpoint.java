package org.homeconsole.runtime.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.events.EventPattern;
import org.homeconsole.api.events.Subscription;

/** One {@code events:<type or pattern>} endpoint; see {@link EventsComponent}. */
public final class EventsEndpoint extends DefaultEndpoint {

    public static final String TYPE = "eventType";
    public static final String KEY = "eventKey";
    public static final String ID = "eventId";
    public static final String SOURCE = "eventSource";
    public static final String CORRELATION_ID = "eventCorrelationId";

    private final String pattern;
    private final EventBus bus;
    private final ObjectMapper mapper;

    EventsEndpoint(String uri, EventsComponent component, String pattern, EventBus bus, ObjectMapper mapper) {
        super(uri, component);
        this.pattern = pattern;
        this.bus = bus;
        this.mapper = mapper;
    }

    @Override
    public Producer createProducer() {
        if (pattern.contains("*")) {
            throw new IllegalArgumentException("events:" + pattern + " cannot publish: a published event needs an exact type");
        }
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                Message in = exchange.getMessage();
                JsonNode data = toJson(in.getBody());
                String key = in.getHeader(KEY, String.class);
                String correlation = in.getHeader(CORRELATION_ID, String.class);
                Event event = Event.of(pattern, "/homeconsole/routes/" + exchange.getFromRouteId(), key, correlation, data);
                bus.publish(event).get(30, TimeUnit.SECONDS);
                in.setHeader(ID, event.id());
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        return new DefaultConsumer(this, processor) {
            private Subscription subscription;

            @Override
            protected void doStart() throws Exception {
                super.doStart();
                String subscriber = getRouteId() != null ? "route:" + getRouteId() : "route:" + pattern;
                subscription = bus.subscribe(subscriber, EventPattern.of(pattern).toString(), event -> {
                    Exchange exchange = createExchange(false);
                    try {
                        Message message = exchange.getMessage();
                        message.setBody(mapper.treeToValue(event.data(), Object.class));
                        message.setHeader(TYPE, event.type());
                        message.setHeader(KEY, event.key());
                        message.setHeader(ID, event.id());
                        message.setHeader(SOURCE, event.source());
                        message.setHeader(CORRELATION_ID, event.correlationId());
                        getProcessor().process(exchange);
                        if (exchange.getException() != null) {
                            throw exchange.getException();
                        }
                    } finally {
                        releaseExchange(exchange, false);
                    }
                });
            }

            @Override
            protected void doStop() throws Exception {
                if (subscription != null) {
                    subscription.close();
                    subscription = null;
                }
                super.doStop();
            }
        };
    }

    private JsonNode toJson(Object body) throws Exception {
        if (body == null) {
            return mapper.nullNode();
        }
        if (body instanceof JsonNode node) {
            return node;
        }
        if (body instanceof String text) {
            String trimmed = text.strip();
            if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
                return mapper.readTree(trimmed);
            }
            return mapper.getNodeFactory().textNode(text);
        }
        if (body instanceof byte[] bytes) {
            return mapper.readTree(bytes);
        }
        return mapper.valueToTree(body);
    }
}
