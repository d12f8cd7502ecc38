package org.homeconsole.clientmanager;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.homeconsole.api.events.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client manager's way onto the event bus: publishes from one thread of its own, in order, so that a
 * socket's event loop or a REST thread never waits on the broker.
 *
 * <p>Events go out in bursts: the first event of a burst waits at most {@link #DEFAULT_WINDOW} for others to
 * join it, then all that are queued are handed to the bus together, so the producer carries them to the broker
 * in one request. Every command makes two or three events and every connect one; one request per event cost
 * the broker and the bus's own consumer more CPU than the rest of a command (docs/benchmarks.md, section 3).
 * An event therefore reaches Kafka up to the window later than it happened.
 *
 * <p>While the broker is away the Kafka producer may hold a send for up to its {@code max.block.ms}; events
 * queue here meanwhile (at most {@value #QUEUE} of them, then they are dropped and counted in the log) and
 * go out once it is back.
 */
public final class EventsOut implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventsOut.class);
    static final int QUEUE = 100_000;
    /** Most events taken from the queue at once: while a send blocks, at most this many wait outside the queue. */
    static final int MAX_BURST = 1_000;
    /** How long the first event of a burst waits for others to join it. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMillis(5);
    private static final long CLOSE_WAIT_MS = 5_000;

    private record Pending(String type, String key, Object data, long queuedAt) {
    }

    private final EventBus events;
    private final long windowNanos;
    private final ArrayBlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    /** Events accepted and not yet handed to the bus (queued or in the burst being sent). */
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread sender;
    private volatile boolean closed;
    /** Set when {@link #close()} stopped waiting for the sender: it sends nothing more. */
    private volatile boolean abandoned;

    public EventsOut(EventBus events, String nodeId) {
        this(events, nodeId, DEFAULT_WINDOW);
    }

    /** @param window how long the first event of a burst waits for others; zero sends each as soon as the thread takes it */
    public EventsOut(EventBus events, String nodeId, Duration window) {
        this.events = events;
        this.windowNanos = window.toNanos();
        this.sender = new Thread(this::run, "client-manager-events-" + nodeId);
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /** Publishes without waiting; failures are logged. */
    public void publish(String type, String key, Object data) {
        if (closed) {
            long count = dropped.incrementAndGet();
            if (count == 1 || count % 10_000 == 0) {
                LOG.warn("Client manager stopped: {} events not published (last: {} {})", count, type, key);
            }
            return;
        }
        pending.incrementAndGet();
        if (!queue.offer(new Pending(type, key, data, System.nanoTime()))) {
            pending.decrementAndGet();
            long count = dropped.incrementAndGet();
            if (count == 1 || count % 10_000 == 0) {
                LOG.error("Event bus unreachable and {} events queued: dropped {} so far (last: {} {})", QUEUE, count, type, key);
            }
        }
    }

    private void run() {
        List<Pending> burst = new ArrayList<>();
        while (true) {
            Pending first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            if (first == null) {
                if (closed && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            long wait = first.queuedAt() + windowNanos - System.nanoTime();
            while (wait > 0 && !closed) {
                LockSupport.parkNanos(wait);
                wait = first.queuedAt() + windowNanos - System.nanoTime();
            }
            burst.add(first);
            queue.drainTo(burst, MAX_BURST - 1);
            for (Pending event : burst) {
                if (abandoned) {
                    return;
                }
                send(event);
                pending.decrementAndGet();
            }
            burst.clear();
        }
    }

    private void send(Pending event) {
        try {
            events.publish(event.type(), event.key(), event.data()).exceptionally(e -> {
                LOG.warn("Could not publish {} ({}): {}", event.type(), event.key(), e.toString());
                return null;
            });
        } catch (Throwable e) {
            // the one sender thread must outlive anything a send throws, or every later event would be lost
            LOG.warn("Could not publish {} ({}): {}", event.type(), event.key(), e.toString());
        }
    }

    /** Hands what is queued to the bus (waiting up to 5 s for it), then stops. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(sender);
        try {
            sender.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            abandoned = true;
            sender.interrupt();
        }
        int unsent = pending.get();
        if (unsent > 0) {
            LOG.warn("{} client-manager events not published at stop", unsent);
        }
    }
}
