package org.homeconsole.connector.kafka.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes the event consumer when a subscriber queue has drained below half, so that a fast stream is not
 * held up by a fixed pause each time a subscriber falls behind: while every partition waits for a full
 * subscriber queue, the consumer {@linkplain #await sleeps} until a subscriber says it has
 * {@linkplain #roomAgain room again}, or for at most the pause it would otherwise have taken.
 *
 * <p>A signal is a flag as well as an unpark: one given before the consumer sleeps, or while it is parked
 * somewhere else (a lock inside a queue or inside Kafka's client takes the thread's park permit), is still
 * seen by the next {@link #await}. A stray one only makes the consumer look once more. Subscribers give it
 * at most once per half a queue of events.
 */
public final class RoomSignal {

    private final AtomicBoolean signalled = new AtomicBoolean();
    private volatile Thread consumer;

    /** Called once by the consumer thread before it first waits. */
    void consumerIs(Thread thread) {
        consumer = thread;
    }

    /** Called by the consumer thread: returns once signalled (at once if it already was), or after {@code nanos}. */
    void await(long nanos) {
        long deadline = System.nanoTime() + nanos;
        long left = nanos;
        while (!takeSignal() && left > 0) {
            LockSupport.parkNanos(this, left);
            left = deadline - System.nanoTime();
        }
    }

    /** Whether a signal came since the last call (and clears it). */
    boolean takeSignal() {
        return signalled.getAndSet(false);
    }

    /** Called by a subscriber thread whose queue has just drained below half its capacity, and on stop. */
    void roomAgain() {
        signalled.set(true);
        Thread thread = consumer;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
