package org.homeconsole.clientmanager.sockets;

import java.util.HashMap;
import java.util.Map;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.Subscription;

/**
 * Event-bus subscriptions that exist only while someone needs them: the admin stream's {@code client.*},
 * {@code job.*} and {@code command.*}. Each holder (an admin socket) says which patterns it needs; a pattern
 * is subscribed when its first holder needs it and closed when its last holder lets it go, so a node without
 * an interested admin socket neither queues nor handles those events.
 *
 * <p>Where delivery starts: the bus hands a new subscription every event it dispatches from the moment
 * {@link EventBus#subscribe} returns (the node's consumer keeps its own position; a subscription is not a
 * consumer group of its own and replays nothing). {@link #need} returns only after that, so an admin whose
 * {@code subscribed} acknowledgement is sent afterwards gets every event published from then on, and none
 * from before. A pattern stays subscribed as long as any holder needs it, so adding or removing other holders
 * never interrupts delivery to one that stays. Thread-safe.
 */
final class OnDemandSubscriptions {

    private final EventBus bus;
    private final String namePrefix;
    private final EventHandler handler;
    private final Map<String, Holding> holdings = new HashMap<>();
    private boolean closed;

    /** A live subscription and how many holders need it. */
    private static final class Holding {
        final Subscription subscription;
        int holders;

        Holding(Subscription subscription) {
            this.subscription = subscription;
        }
    }

    /**
     * @param namePrefix subscriber names are this plus the pattern's first segment (e.g. {@code admin-stream-job})
     * @param handler called for every event of every pattern that is subscribed
     */
    OnDemandSubscriptions(EventBus bus, String namePrefix, EventHandler handler) {
        this.bus = bus;
        this.namePrefix = namePrefix;
        this.handler = handler;
    }

    /** One more holder needs {@code pattern}: subscribes it if it was not; returns once events flow. */
    synchronized void need(String pattern) {
        if (closed) {
            return;
        }
        Holding holding = holdings.get(pattern);
        if (holding == null) {
            holding = new Holding(bus.subscribe(namePrefix + pattern.replace(".*", ""), pattern, handler));
            holdings.put(pattern, holding);
        }
        holding.holders++;
    }

    /** One holder no longer needs {@code pattern}: closes the subscription when it was the last. */
    synchronized void release(String pattern) {
        Holding holding = holdings.get(pattern);
        if (holding == null) {
            return;
        }
        if (--holding.holders <= 0) {
            holdings.remove(pattern);
            holding.subscription.close();
        }
    }

    /** Whether {@code pattern} is subscribed now. */
    synchronized boolean subscribed(String pattern) {
        return holdings.containsKey(pattern);
    }

    /** Closes every subscription; later {@link #need} calls do nothing. */
    synchronized void close() {
        closed = true;
        holdings.values().forEach(h -> h.subscription.close());
        holdings.clear();
    }
}
