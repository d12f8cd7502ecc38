package org.homeconsole.connector.kafka.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which subscriptions get an event of a given type, and the batches the consumer fills for them
 * during one round (one poll).
 *
 * <p>Patterns are matched once per event type and set of subscriptions, not once per record and
 * subscription. Subscriptions with the same pattern get the same records, so they form a group that
 * shares one batch per round: a record costs one list entry per distinct pattern it matches,
 * whatever the number of subscriptions. A record goes to every subscription it matches or, when one
 * of their queues is full, to none (the consumer then holds the partition back).
 *
 * <p>Used by the consumer thread only.
 */
final class EventRouter {

    /** Subscriptions with one pattern, and the batch they get at the end of the round. */
    private static final class Group {
        private final SubscriberWorker[] workers;
        private List<Delivery> batch = new ArrayList<>();
        /** records that still fit into every queue of the group beside the batch; recomputed when used up */
        private int room;

        Group(SubscriberWorker[] workers) {
            this.workers = workers;
        }

        boolean hasRoom() {
            if (room > 0) {
                return true;
            }
            // queues only shrink behind our back (we are the only one filling them): a lower bound
            int least = Integer.MAX_VALUE;
            for (SubscriberWorker worker : workers) {
                least = Math.min(least, worker.room());
            }
            room = least - batch.size();
            return room > 0;
        }
    }

    /** Where events of one type go. */
    static final class Route {
        private static final Route NOWHERE = new Route(new Group[0], 0);

        private final Group[] groups;
        private final int subscribers;

        private Route(Group[] groups, int subscribers) {
            this.groups = groups;
            this.subscribers = subscribers;
        }

        /** How many subscriptions get these events. */
        int subscribers() {
            return subscribers;
        }
    }

    private static final int MAX_ROUTES = 10_000;

    private final SubscriberSet subscriptions;
    private SubscriberWorker[] seen;
    private Group[] groups = new Group[0];
    private final Map<String, Route> routes = new HashMap<>();
    /** groups whose batch has deliveries this round */
    private final List<Group> filled = new ArrayList<>();

    EventRouter(SubscriberSet subscriptions) {
        this.subscriptions = subscriptions;
    }

    /** Takes the current subscriptions into account; call at the start of a round (never within one). */
    void refresh() {
        SubscriberWorker[] current = subscriptions.snapshot();
        if (current == seen) {
            return;
        }
        seen = current;
        Map<String, List<SubscriberWorker>> byPattern = new LinkedHashMap<>();
        for (SubscriberWorker worker : current) {
            byPattern.computeIfAbsent(worker.pattern(), p -> new ArrayList<>()).add(worker);
        }
        groups = byPattern.values().stream()
                .map(workers -> new Group(workers.toArray(SubscriberWorker[]::new)))
                .toArray(Group[]::new);
        routes.clear();
    }

    /** Where events of {@code type} go under the current subscriptions. */
    Route route(String type) {
        Route route = routes.get(type);
        if (route == null) {
            if (routes.size() >= MAX_ROUTES) {
                // types come from whoever writes to the topic: keep the table bounded
                routes.clear();
            }
            route = resolve(type);
            routes.put(type, route);
        }
        return route;
    }

    private Route resolve(String type) {
        List<Group> matching = new ArrayList<>();
        int subscribers = 0;
        for (Group group : groups) {
            // one pattern per group: every worker of it answers alike
            if (group.workers[0].matches(type)) {
                matching.add(group);
                subscribers += group.workers.length;
            }
        }
        return subscribers == 0 ? Route.NOWHERE : new Route(matching.toArray(Group[]::new), subscribers);
    }

    /** Whether every queue on {@code route} can take one more record this round. */
    boolean hasRoom(Route route) {
        for (Group group : route.groups) {
            if (!group.hasRoom()) {
                return false;
            }
        }
        return true;
    }

    /** Adds a record to this round's batches of {@code route}; check {@link #hasRoom} first. */
    void add(Route route, Delivery delivery) {
        for (Group group : route.groups) {
            if (group.batch.isEmpty()) {
                filled.add(group);
            }
            group.batch.add(delivery);
            group.room--;
        }
    }

    /** Ends the round: hands each subscription its batch (shared within a group, never modified again). */
    void flush() {
        for (Group group : filled) {
            List<Delivery> batch = group.batch;
            group.batch = new ArrayList<>(batch.size());
            group.room = 0;
            for (SubscriberWorker worker : group.workers) {
                worker.enqueue(batch);
            }
        }
        filled.clear();
    }
}
