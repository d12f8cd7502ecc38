package org.homeconsole.api.events;

/** A live subscription; {@link #close()} stops delivery to its handler. */
public interface Subscription extends AutoCloseable {

    /** The subscriber's name, as it appears in dead-letter records and metrics. */
    String name();

    /** The type or pattern subscribed to. */
    String pattern();

    @Override
    void close();
}
