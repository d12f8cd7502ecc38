package org.homeconsole.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Counts the broker's acknowledgements of sent events; called on the producer's I/O thread. */
final class Acks {

    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private volatile long lastAckNanos;

    void done(Throwable error) {
        if (error != null) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, error);
        } else {
            acknowledged.incrementAndGet();
        }
        lastAckNanos = System.nanoTime();
    }

    long total() {
        return acknowledged.get() + failed.get();
    }

    long failed() {
        return failed.get();
    }

    Throwable firstError() {
        return firstError.get();
    }

    long lastAckNanos() {
        return lastAckNanos;
    }
}
