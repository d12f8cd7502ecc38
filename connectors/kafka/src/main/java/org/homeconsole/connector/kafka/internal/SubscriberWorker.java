package org.homeconsole.connector.kafka.internal;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.EventPattern;
import org.homeconsole.api.events.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a bounded queue filled by the event consumer, drained in {@linkplain Turn turns} on the
 * bus's {@link SubscriberPool} (one batch per turn, never two turns at once, so events stay in order), and a
 * handler that a slow or failing subscriber cannot use to hold up the others for long: the pool grows when
 * every thread is busy. Retries a failing event with doubling pauses, then dead-letters it and goes on.
 *
 * <p>The consumer hands over events in batches (all of one poll that match), so a busy stream costs
 * one queue operation and at most one turn per poll, not per event; the queue's bound is
 * counted in events. Subscriptions with the same pattern share their batches and the
 * {@link Delivery} objects in them: both are read-only here.
 */
public final class SubscriberWorker implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriberWorker.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** events handled before their room in the queue is given back: one atomic update per so many, not per event */
    private static final int RELEASE_EVERY = 32;

    private final String name;
    private final EventPattern pattern;
    private final EventHandler handler;
    private final Queue<List<Delivery>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final int capacity;
    /** queued events at or below which the consumer is woken: below half of {@link #capacity} */
    private final int wakeMark;
    private final int maxAttempts;
    private final Duration backoff;
    private final DeadLetterWriter deadLetters;
    private final RoomSignal roomSignal;
    private final Consumer<SubscriberWorker> onClose;
    /** runs turns: the bus's {@link SubscriberPool} */
    private final Executor turns;
    private final Turn turn = new Turn();
    /** whether a turn is waiting for a thread or running: set by whoever schedules one, cleared by the turn */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** the thread running a turn now, or null (guarded by {@link #turn}): close and halt interrupt it */
    private Thread runner;
    private volatile boolean closed;
    private volatile boolean halted;

    public SubscriberWorker(String name, EventPattern pattern, EventHandler handler, int queueCapacity, int maxAttempts,
            Duration backoff, DeadLetterWriter deadLetters, RoomSignal roomSignal, Executor turns,
            Consumer<SubscriberWorker> onClose) {
        this.name = name;
        this.pattern = pattern;
        this.handler = handler;
        this.capacity = queueCapacity;
        this.wakeMark = (queueCapacity - 1) / 2;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.deadLetters = deadLetters;
        this.roomSignal = roomSignal;
        this.turns = turns;
        this.onClose = onClose;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String pattern() {
        return pattern.toString();
    }

    /** Whether events of {@code type} match this subscription's pattern. */
    public boolean matches(String type) {
        return pattern.matches(type);
    }

    /** Events handed over and not handled yet. */
    public int queued() {
        return queued.get();
    }

    /**
     * How many more events fit into the queue. Only the consumer thread enqueues, so the answer is a
     * lower bound until it does.
     */
    public int room() {
        return capacity - queued.get();
    }

    /** Hands over a batch of deliveries, in order; the list may be shared with other subscriptions and is never modified. */
    public void enqueue(List<Delivery> batch) {
        queued.addAndGet(batch.size());
        queue.add(batch);
        if (closed) {
            // lost the race with close(): the worker may already have drained its queue
            if (!halted) {
                dropQueued();
            }
            return;
        }
        schedule();
    }

    /** Stops delivery for good: events still queued count as handled so that offsets move on. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.accept(this);
        interruptRunner();
        dropQueued();
    }

    /**
     * Stops because the bus stops: queued events stay unfinished, so their offsets are not committed
     * and the node gets them again when it restarts.
     */
    public void halt() {
        halted = true;
        closed = true;
        interruptRunner();
    }

    /** Waits for the turn in hand after {@link #halt()}; {@code false} when a handler did not return in time. */
    public boolean awaitHalted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (turn) {
            long left;
            while (runner != null && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(turn, left);
            }
            return runner == null;
        }
    }

    /** Queues a turn unless one is waiting or running already (that one looks at the queue again when it ends). */
    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            turn.scheduledAt = System.nanoTime();
            turns.execute(turn);
        }
    }

    private void interruptRunner() {
        synchronized (turn) {
            if (runner != null) {
                runner.interrupt();
            }
        }
    }

    /**
     * One go at the queue on a pool thread: handles the oldest batch, then lets the next batch wait for a turn of
     * its own behind the other subscriptions' turns. Interrupts are given only to the thread while it runs this
     * subscription's turn, and taken back before the thread goes on to another.
     */
    final class Turn implements Runnable {

        private volatile long scheduledAt;

        /** when this turn was queued ({@link System#nanoTime()}) */
        long scheduledAt() {
            return scheduledAt;
        }

        @Override
        public void run() {
            synchronized (this) {
                runner = Thread.currentThread();
            }
            try {
                List<Delivery> batch = closed ? null : queue.poll();
                if (batch != null) {
                    handle(batch);
                }
            } finally {
                synchronized (this) {
                    runner = null;
                    // an interrupt meant for this subscription must not reach the next turn on this thread
                    Thread.interrupted();
                    notifyAll();
                }
                scheduled.set(false);
                if (!queue.isEmpty() && !closed) {
                    schedule();
                }
            }
        }

        @Override
        public String toString() {
            return "subscription " + name;
        }
    }

    /** Delivers a batch in order; gives its room in the queue back every {@value #RELEASE_EVERY} events. */
    private void handle(List<Delivery> batch) {
        int size = batch.size();
        int released = 0;
        for (int i = 0; i < size; i++) {
            if (closed) {
                // close() or halt() came while this batch was in hand: treat the rest like queued events
                if (!halted) {
                    batch.subList(i, size).forEach(Delivery::done);
                }
                break;
            }
            deliver(batch.get(i));
            if (i + 1 - released == RELEASE_EVERY) {
                release(RELEASE_EVERY);
                released = i + 1;
            }
        }
        release(size - released);
    }

    /**
     * Gives back room for {@code events}; wakes the consumer when the queue has just drained below half. The
     * mark is below half, not at it: the consumer stops at a full queue, counting the batch it has not handed
     * over yet, so whatever the queue held when the consumer stopped, the queue then drains across the mark
     * once more. With the mark at half, an even capacity could be handed its last half-batch after the
     * subscriber had drained to half, and then drain to nothing without a signal.
     */
    private void release(int events) {
        if (events == 0) {
            return;
        }
        int left = queued.addAndGet(-events);
        if (left <= wakeMark && left + events > wakeMark) {
            roomSignal.roomAgain();
        }
    }

    private void deliver(Delivery delivery) {
        Throwable failure = null;
        int attempt = 0;
        while (attempt < maxAttempts) {
            attempt++;
            try {
                handler.handle(delivery.event());
                delivery.done();
                return;
            } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                failure = e;
                LOG.debug("Subscriber {} failed on event {} ({}), attempt {} of {}", name, delivery.event().id(),
                        delivery.event().type(), attempt, maxAttempts, e);
            }
            if (closed) {
                // the handler failed because close() or halt() interrupted it: not the event's fault
                finishInterrupted(delivery);
                return;
            }
            if (attempt < maxAttempts && !pause(attempt)) {
                finishInterrupted(delivery);
                return;
            }
        }
        deadLetter(delivery, failure, attempt);
    }

    private void deadLetter(Delivery delivery, Throwable failure, int attempts) {
        LOG.warn("Subscriber {} failed {} time(s) on event {} ({}); sending it to the dead-letter topic: {}", name, attempts,
                delivery.event().id(), delivery.event().type(), failure.toString());
        try {
            deadLetters.failed(delivery.record(), name, failure, attempts).get();
        } catch (ExecutionException e) {
            LOG.error("Could not dead-letter event {} of subscriber {}; it is dropped: {}", delivery.event().id(), name,
                    e.getCause().toString());
        } catch (InterruptedException e) {
            finishInterrupted(delivery);
            return;
        }
        delivery.done();
    }

    private void finishInterrupted(Delivery delivery) {
        // closing the subscription drops the event; halting the bus leaves it for redelivery
        if (!halted) {
            delivery.done();
        }
        Thread.currentThread().interrupt();
    }

    private boolean pause(int attempt) {
        long millis = Math.min(MAX_BACKOFF.toMillis(), backoff.toMillis() << Math.min(attempt - 1, 20));
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void dropQueued() {
        List<Delivery> batch;
        while ((batch = queue.poll()) != null) {
            batch.forEach(Delivery::done);
            release(batch.size());
        }
    }
}
