package org.homeconsole.connector.kafka.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the event consumer knows about one partition: records fetched but not yet handed to the
 * subscribers (the backlog, non-empty only while a subscriber's queue is full), and records handed
 * out but not yet finished by every subscriber.
 *
 * <p>Owned by the consumer thread; subscriber threads only call {@link Delivery#done()}.
 */
public final class PartitionProgress {

    private final Deque<ConsumerRecord<String, byte[]>> backlog = new ArrayDeque<>();
    private final Deque<Delivery> inFlight = new ArrayDeque<>();
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

    /** Records that the record at {@code offset} went to no subscriber. */
    public void skipped(long offset) {
        nextOffset = offset + 1;
    }

    /** Records that the next record went out as {@code delivery}, to be finished by its subscribers. */
    public void handedOut(Delivery delivery) {
        nextOffset = delivery.offset() + 1;
        inFlight.addLast(delivery);
    }

    /** The offset to commit: the first record some subscriber has not finished, else the next to read. */
    public long committable() {
        forgetFinished();
        return inFlight.isEmpty() ? nextOffset : inFlight.peekFirst().offset();
    }

    /** Drops the finished deliveries at the head (cheap; called every poll round so that they can be collected young). */
    public void forgetFinished() {
        Delivery first;
        while ((first = inFlight.peekFirst()) != null && first.finished()) {
            inFlight.removeFirst();
        }
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
