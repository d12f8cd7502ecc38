package org.homeconsole.connector.kafka.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.homeconsole.api.events.Event;

/**
 * One consumed record on its way to the subscriptions it matched: the event, the record it came
 * from (for the dead-letter topic), and how many of those subscriptions have not finished it yet.
 *
 * <p>One object per record, shared by every subscription that gets it (and with it the event and
 * its lazily decoded data). Each subscription calls {@link #done()} once when it has handled,
 * dead-lettered or dropped the record; the consumer commits a partition's offset up to the first
 * delivery that is not {@link #finished()}. A finished delivery lets go of its event and record, so
 * that what the consumer still tracks behind a slow subscriber is only an offset and a count.
 */
public final class Delivery {

    private static final VarHandle REMAINING;

    static {
        try {
            REMAINING = MethodHandles.lookup().findVarHandle(Delivery.class, "remaining", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long offset;
    /** {@code null} once finished: read only by subscriptions that have not called {@link #done()} yet */
    private Event event;
    private ConsumerRecord<String, byte[]> record;
    @SuppressWarnings("unused") // through REMAINING
    private volatile int remaining;

    /**
     * @param event {@code null} for a record that is not an event (the consumer dead-letters it)
     * @param subscribers how many subscriptions get it
     */
    public Delivery(Event event, ConsumerRecord<String, byte[]> record, int subscribers) {
        this.offset = record.offset();
        this.event = event;
        this.record = record;
        this.remaining = subscribers;
    }

    public Event event() {
        return event;
    }

    public ConsumerRecord<String, byte[]> record() {
        return record;
    }

    public long offset() {
        return offset;
    }

    /**
     * Called once per subscription when it is through with the record, on its thread; it must not
     * look at the event or record afterwards.
     */
    public void done() {
        if ((int) REMAINING.getAndAdd(this, -1) == 1) {
            // the last one: nobody reads them any more (the volatile write above orders these after every read)
            event = null;
            record = null;
        }
    }

    /** Whether every subscription is through with it. */
    public boolean finished() {
        return remaining <= 0;
    }
}
