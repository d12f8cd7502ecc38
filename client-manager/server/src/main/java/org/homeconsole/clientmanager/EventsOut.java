package org.homeconsole.clientmanager;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.homeconsole.api.events.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client manager's way onto the event bus: publishes from one thread of its own, in order, so that a
 * socket's event loop or a REST thread never waits on the broker. While the broker is away the Kafka
 * producer may hold a send for up to its {@code max.block.ms}; events queue here meanwhile (at most
 * {@value #QUEUE} of them, then they are dropped and counted in the log) and go out once it is back.
 */
public final class EventsOut implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventsOut.class);
    static final int QUEUE = 100_000;

    private final EventBus events;
    private final ThreadPoolExecutor sender;
    private final AtomicLong dropped = new AtomicLong();

    public EventsOut(EventBus events, String nodeId) {
        this.events = events;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), runnable -> {
            Thread thread = new Thread(runnable, "client-manager-events-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Publishes without waiting; failures are logged. */
    public void publish(String type, String key, Object data) {
        try {
            sender.execute(() -> {
                try {
                    events.publish(type, key, data).exceptionally(e -> {
                        LOG.warn("Could not publish {} ({}): {}", type, key, e.toString());
                        return null;
                    });
                } catch (RuntimeException e) {
                    LOG.warn("Could not publish {} ({}): {}", type, key, e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            long count = dropped.incrementAndGet();
            if (count == 1 || count % 10_000 == 0) {
                LOG.error("Event bus unreachable and {} events queued: dropped {} so far (last: {} {})", QUEUE, count, type, key);
            }
        }
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("{} client-manager events not published at stop", sender.getQueue().size());
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
