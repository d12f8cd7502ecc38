package org.homeconsole.connector.kafka.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.EventPattern;
import org.homeconsole.api.events.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a bounded queue filled by the event consumer and a thread of its own that
 * calls the handler, so a slow or failing subscriber holds up nobody else. Retries a failing
 * event with doubling pauses, then dead-letters it and goes on.
 *
 * <p>The consumer hands over events in batches (all of one poll that match), so a busy stream costs
 * one queue operation and at most one thread wake-up per poll, not per event; the queue's bound is
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
    private final BlockingQueue<List<Delivery>> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final int capacity;
    /** queued events at or below which the consumer is woken: below half of {@link #capacity} */
    private final int wakeMark;
    private final int maxAttempts;
    private final Duration backoff;
    private final DeadLetterWriter deadLetters;
    private final RoomSignal roomSignal;
    private final Consumer<SubscriberWorker> onClose;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean halted;

    public SubscriberWorker(String name, EventPattern pattern, EventHandler handler, int queueCapacity, int maxAttempts,
            Duration backoff, DeadLetterWriter deadLetters, RoomSignal roomSignal, Consumer<SubscriberWorker> onClose) {
        this.name = name;
        this.pattern = pattern;
        this.handler = handler;
        this.capacity = queueCapacity;
        this.wakeMark = (queueCapacity - 1) / 2;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.deadLetters = deadLetters;
        this.roomSignal = roomSignal;
        this.onClose = onClose;
        this.thread = new Thread(this::run, "hc-event-subscriber-" + name);
        // a forgotten subscription must not keep the JVM alive; unfinished events are redelivered anyway
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
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
            dropQueued();
        }
    }

    /** Stops delivery for good: events still queued count as handled so that offsets move on. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.accept(this);
        thread.interrupt();
        dropQueued();
    }

    /**
     * Stops because the bus stops: queued events stay unfinished, so their offsets are not committed
     * and the node gets them again when it restarts.
     */
    public void halt() {
        halted = true;
        closed = true;
        thread.interrupt();
    }

    /** Waits for the thread after {@link #halt()}; {@code false} when a handler did not return in time. */
    public boolean awaitHalted(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    private void run() {
        while (!closed) {
            List<Delivery> batch;
            try {
                batch = queue.take();
            } catch (InterruptedException e) {
                continue;
            }
            handle(batch);
        }
        if (!halted) {
            dropQueued();
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
            } catch (Exception | LinkageError | AssertionError e) {
                failure = e;
                LOG.debug("Subscriber {} failed on event {} ({}), attempt {} of {}", name, delivery.event().id(),
                        delivery.event().type(), attempt, maxAttempts, e);
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
