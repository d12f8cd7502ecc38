package org.homeconsole.connector.kafka.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Wakes the event consumer when a subscriber queue has drained to half, so that a fast stream is not
 * held up by a fixed pause each time a subscriber falls behind: while every partition waits for a full
 * subscriber queue, the consumer {@linkplain #await sleeps} until a subscriber says it has
 * {@linkplain #roomAgain room again}, or for at most the pause it would otherwise have taken.
 *
 * <p>A wake-up that comes before the consumer sleeps is kept ({@link LockSupport}'s permit), so none
 * is lost between the consumer finding a queue full and going to sleep; a stray one only makes the
 * consumer look once more. Subscribers say it at most once per half a queue of events.
 */
public final class RoomSignal {

    private volatile Thread consumer;

    /** Called once by the consumer thread before it first waits. */
    void consumerIs(Thread thread) {
        consumer = thread;
    }

    /** Called by the consumer thread: sleeps at most {@code nanos}, or until {@link #roomAgain()}. */
    void await(long nanos) {
        LockSupport.parkNanos(this, nanos);
    }

    /** Called by a subscriber thread whose queue has just drained to half its capacity. */
    void roomAgain() {
        Thread thread = consumer;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
