package org.homeconsole.connector.kafka.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the event consumer knows about one partition: records fetched but not yet handed to the
 * subscribers (the backlog, non-empty only while a subscriber's queue is full), and records handed
 * out but not yet finished by every subscriber.
 *
 * <p>Owned by the consumer thread; subscriber threads only call {@link InFlight#done()}.
 */
public final class PartitionProgress {

    /** One record handed to {@code remaining} subscribers. */
    public static final class InFlight {
        private final long offset;
        private final AtomicInteger remaining;

        InFlight(long offset, int subscribers) {
            this.offset = offset;
            this.remaining = new AtomicInteger(subscribers);
        }

        /** Called once per subscriber when it has handled (or dead-lettered, or dropped) the record. */
        public void done() {
            remaining.decrementAndGet();
        }

        boolean finished() {
            return remaining.get() <= 0;
        }
    }

    private final Deque<ConsumerRecord<String, byte[]>> backlog = new ArrayDeque<>();
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private long nextOffset;
    private long committed;
    private boolean paused;

    /**
     * @param position where reading starts
     * @param committed the offset last committed for this partition, or -1
     */
    public PartitionProgress(long position, long committed) {
        this.nextOffset = position;
        this.committed = committed;
    }

    public Deque<ConsumerRecord<String, byte[]>> backlog() {
        return backlog;
    }

    /** Records that the next record of the backlog went to {@code subscribers} subscribers (maybe none). */
    public InFlight handedOut(long offset, int subscribers) {
        nextOffset = offset + 1;
        InFlight record = new InFlight(offset, subscribers);
        if (subscribers > 0) {
            inFlight.addLast(record);
        }
        return record;
    }

    /** The offset to commit: the first record some subscriber has not finished, else the next to read. */
    public long committable() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().finished()) {
            inFlight.removeFirst();
        }
        return inFlight.isEmpty() ? nextOffset : inFlight.peekFirst().offset;
    }

    public long committed() {
        return committed;
    }

    public void committed(long offset) {
        committed = offset;
    }

    public boolean paused() {
        return paused;
    }

    public void paused(boolean paused) {
        this.paused = paused;
    }
}
