package org.homeconsole.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * One reader of the benchmark's events (the raw consumer, or one bus subscriber): counts them and,
 * in a latency run, records for each the time from its intended send time to its arrival here.
 *
 * <p>Written by one thread only. The count is published after the histogram is written, so whoever
 * has seen the final count also sees the complete histogram.
 */
final class Receiver {

    /** Latencies above this (10 min) are recorded as this: the run is over long before. */
    static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final AtomicLong count = new AtomicLong();
    private final Histogram latencyMicros = new Histogram(MAX_MICROS, 3);
    private final long recordFromSeq;

    /** @param recordFromSeq events with a lower sequence number are warm-up (counted, not recorded); -1 records none */
    Receiver(long recordFromSeq) {
        this.recordFromSeq = recordFromSeq;
    }

    /** @param t the event's intended send time, as {@code System.nanoTime() - Payload.ORIGIN} */
    void delivered(long seq, long t) {
        // the clock only where a latency is recorded: a throughput case with 16 subscribers read it 16 times per
        // event, ~0.35 µs of CPU per event that the raw baseline with its one reader paid once
        if (recordFromSeq >= 0 && seq >= recordFromSeq) {
            long micros = (System.nanoTime() - Payload.ORIGIN - t) / 1_000;
            latencyMicros.recordValue(Math.max(0, Math.min(MAX_MICROS, micros)));
        }
        count.incrementAndGet();
    }

    long count() {
        return count.get();
    }

    /** Read only once {@link #count()} has reached what was sent (see the class comment). */
    Histogram latencyMicros() {
        return latencyMicros;
    }
}
