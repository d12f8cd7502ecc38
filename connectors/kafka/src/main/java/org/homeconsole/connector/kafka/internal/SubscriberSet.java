package org.homeconsole.connector.kafka.internal;

import java.util.Arrays;

/**
 * The bus's live subscriptions as an immutable array snapshot that changes identity whenever a
 * subscription comes or goes, so that the consumer can keep what it worked out from one snapshot
 * (which subscriptions get which event type) until the next.
 *
 * <p>Thread-safe: changes are serialised, readers take the current snapshot without a lock.
 */
public final class SubscriberSet {

    private static final SubscriberWorker[] NONE = new SubscriberWorker[0];

    private volatile SubscriberWorker[] snapshot = NONE;

    /** The subscriptions now; never modify the array. */
    public SubscriberWorker[] snapshot() {
        return snapshot;
    }

    public synchronized void add(SubscriberWorker worker) {
        SubscriberWorker[] current = snapshot;
        SubscriberWorker[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = worker;
        snapshot = next;
    }

    /** Removes {@code worker} (by identity); does nothing when it is not there. */
    public synchronized void remove(SubscriberWorker worker) {
        SubscriberWorker[] current = snapshot;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == worker) {
                SubscriberWorker[] next = new SubscriberWorker[current.length - 1];
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                snapshot = next;
                return;
            }
        }
    }

    public synchronized void clear() {
        snapshot = NONE;
    }
}
