package org.homeconsole.api.events;

/**
 * Receives events for a subscription.
 *
 * <p>Called on the subscription's own delivery thread, one event at a time, in the order the
 * events of one key were published. An exception is retried a bounded number of times; after
 * that the event goes to the dead-letter topic with the error, and delivery goes on. A handler
 * never affects other subscribers or the publisher.
 */
@FunctionalInterface
public interface EventHandler {
    void handle(Event event) throws Exception;
}
