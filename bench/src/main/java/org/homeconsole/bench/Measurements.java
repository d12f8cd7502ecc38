package org.homeconsole.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The two measurements, run on any {@link Pipe}. */
final class Measurements {

    private static final Logger LOG = LoggerFactory.getLogger(Measurements.class);
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private Measurements() {
    }

    /**
     * Sends {@code events} as fast as {@code send} returns (the producer blocks when its buffer is
     * full) and waits until every receiver has them all, or until {@code cap} has passed since the start.
     */
    static Results.Throughput throughput(Pipe pipe, int round, int events, Duration cap) {
        Acks acks = new Acks();
        ResourceMeter before = ResourceMeter.now();
        long start = System.nanoTime();
        long deadline = start + cap.toNanos();
        int sent = 0;
        for (; sent < events && System.nanoTime() - deadline < 0; sent++) {
            long now = System.nanoTime();
            pipe.send(sent, now, acks);
        }
        long fewest = awaitDeliveries(pipe, sent, acks, deadline);
        long end = System.nanoTime();
        ResourceMeter used = ResourceMeter.since(before);
        if (sent < events || fewest < sent) {
            LOG.warn("{}: time cap of {} s reached: sent {} of {}, fewest delivered {}", pipe.name(), cap.toSeconds(), sent,
                    events, fewest);
        }
        logFailures(pipe, acks);
        long lastAck = acks.lastAckNanos() == 0 ? end : acks.lastAckNanos();
        return new Results.Throughput(pipe.name(), round, events, fewest, (end - start) / 1e9, (lastAck - start) / 1e9,
                acks.failed() + (events - sent), used);
    }

    /**
     * Open loop: event {@code i} is due at {@code start + i / rate}; the sender sends whatever is due
     * and parks until the next one, without waiting for anything. A late sender (a blocked producer, a
     * GC pause, no CPU) sends what fell due at once, and each event's latency is taken from its due
     * time, so a stall shows up in the latency of every event it held up (no coordinated omission).
     * The first {@code warmup} seconds of events are sent but not recorded.
     */
    static Results.Latency latency(Pipe pipe, int round, int rate, Duration warmup, Duration measured,
            Duration drainCap) {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long warmupEvents = warmup.toSeconds() * rate;
        long total = warmupEvents + measured.toSeconds() * rate;
        Histogram senderLag = new Histogram(Receiver.MAX_MICROS, 3);
        Acks acks = new Acks();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        // a pipe that cannot keep up at all is given up on after three times the planned duration
        long giveUp = start + 3 * (total * interval) + drainCap.toNanos();
        long windowStart = start + warmupEvents * interval;
        // taken on another thread: walking every thread's CPU time would hold up the sender at the window's start
        CompletableFuture<ResourceMeter> before = CompletableFuture.supplyAsync(ResourceMeter::now,
                CompletableFuture.delayedExecutor(windowStart - System.nanoTime(), TimeUnit.NANOSECONDS));
        long seq = 0;
        for (; seq < total; seq++) {
            long due = start + seq * interval;
            long now = System.nanoTime();
            while (due - now > 0) {
                LockSupport.parkNanos(due - now);
                now = System.nanoTime();
            }
            if (now - giveUp > 0) {
                break;
            }
            pipe.send(seq, due, acks);
            if (seq >= warmupEvents) {
                senderLag.recordValue(Math.min(Receiver.MAX_MICROS, (now - due) / 1_000));
            }
        }
        long windowEnd = System.nanoTime();
        long fewest = awaitDeliveries(pipe, seq, acks, Math.min(giveUp, windowEnd + drainCap.toNanos()));
        ResourceMeter used = ResourceMeter.since(before.join());
        Histogram all = new Histogram(Receiver.MAX_MICROS, 3);
        long missing = 0;
        for (Receiver receiver : pipe.receivers()) {
            missing += Math.max(0, seq - receiver.count());
        }
        if (missing == 0) {
            pipe.receivers().forEach(receiver -> all.add(receiver.latencyMicros()));
        } else {
            LOG.warn("{}: {} deliveries missing after the drain cap (fewest delivered {} of {}); the histogram is left empty",
                    pipe.name(), missing, fewest, seq);
        }
        logFailures(pipe, acks);
        double window = (windowEnd - windowStart) / 1e9;
        long measuredSent = Math.max(0, seq - warmupEvents);
        return new Results.Latency(pipe.name(), round, pipe.receivers().size(), measuredSent, all, senderLag, missing,
                acks.failed() + (total - seq), measuredSent / window, used, window);
    }

    /** Waits until every receiver has {@code expected} events and every send is acknowledged, or the deadline; returns the fewest. */
    private static long awaitDeliveries(Pipe pipe, long expected, Acks acks, long deadline) {
        while (true) {
            long fewest = Long.MAX_VALUE;
            for (Receiver receiver : pipe.receivers()) {
                fewest = Math.min(fewest, receiver.count());
            }
            if ((fewest >= expected && acks.total() >= expected) || System.nanoTime() - deadline > 0) {
                return fewest;
            }
            LockSupport.parkNanos(CHECK_NANOS);
        }
    }

    private static void logFailures(Pipe pipe, Acks acks) {
        if (acks.failed() > 0) {
            LOG.warn("{}: {} sends failed, first: {}", pipe.name(), acks.failed(), String.valueOf(acks.firstError()));
        }
    }
}
