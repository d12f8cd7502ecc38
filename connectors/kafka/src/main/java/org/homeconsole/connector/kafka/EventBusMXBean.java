package org.homeconsole.connector.kafka;

import java.util.List;

/**
 * What an operator sees of a node's {@link KafkaEventBus} in JMX (Hawtio's JMX tab, Jolokia's {@code read}): registered
 * as {@code org.homeconsole:type=EventBus,node=<node id>} from {@link KafkaEventBus#start()} until
 * {@link KafkaEventBus#close()}. A pool grown above its base, turns waiting and events queued that do not go down
 * tell of a handler that blocks or cannot keep up.
 */
public interface EventBusMXBean {

    /** This node's id (it names the consumer group {@code homeconsole-events-<node id>}). */
    String getNodeId();

    /** The topic every event travels on. */
    String getEventsTopic();

    /** The live subscriptions, as {@code name (pattern)}. */
    List<String> getSubscriptions();

    /** Threads running the subscriptions' handlers now, busy or idle. */
    int getSubscriberThreads();

    /** Threads the pool keeps when no handler blocks ({@link KafkaEventBusSettings#subscriberThreads()}). */
    int getSubscriberThreadsBase();

    /** Subscriptions waiting for a thread to take their next turn. */
    int getWaitingTurns();

    /** Events handed to subscriptions and not handled yet, summed over the subscriptions. */
    long getQueuedEvents();
}
