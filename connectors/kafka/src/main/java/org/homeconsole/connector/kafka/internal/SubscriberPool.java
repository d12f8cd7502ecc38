package org.homeconsole.connector.kafka.internal;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run one bus's subscription handlers: a few shared threads (as many as the settings say,
 * by default one per core) instead of a thread per subscription. The consumer hands a poll's events to every
 * matching subscription at once; with a thread each, 16 subscriptions meant 16 threads woken and put to sleep
 * again per poll: on two cores, a quarter of the bus threads' CPU at full speed (docs/benchmarks.md). Here a
 * poll wakes one thread or two, and they run the subscriptions' turns back to back.
 *
 * <p>A subscription takes {@linkplain SubscriberWorker turns}: one batch of its events per turn, never two
 * turns at once, so its events stay in order. So that a handler that blocks (a call to another service, a slow
 * disk) cannot hold up the other subscriptions, a watchdog adds a thread whenever a turn has waited
 * {@link #STALL} for one while every thread was busy; threads added so end after {@link #IDLE} without work,
 * one at a time. A subscription with a slow handler thus delays the others by about {@link #STALL} once, not
 * for as long as it is slow.
 */
public final class SubscriberPool implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriberPool.class);
    /** how long a turn may wait for a thread while all of them are busy before the pool grows */
    static final Duration STALL = Duration.ofMillis(20);
    /** how long the pool stays larger than its base after it last had to grow */
    static final Duration IDLE = Duration.ofSeconds(30);
    /** a bound on growth: far beyond any number of handlers that can block at once in one process */
    private static final int MAX_THREADS = 1024;

    private final int baseThreads;
    private final ThreadPoolExecutor threads;
    private final ScheduledExecutorService watchdog;
    private final long stallNanos;
    private final long idleNanos;
    /** when the pool last changed size (watchdog thread only) */
    private long lastResized = System.nanoTime();

    /**
     * @param name names the threads ({@code hc-event-subscriber-<name>-<n>})
     * @param baseThreads threads kept when no handler blocks
     */
    public SubscriberPool(String name, int baseThreads) {
        this(name, baseThreads, STALL, IDLE);
    }

    SubscriberPool(String name, int baseThreads, Duration stall, Duration idle) {
        Checks.positive("subscriberThreads", baseThreads);
        this.baseThreads = baseThreads;
        this.stallNanos = stall.toNanos();
        this.idleNanos = idle.toNanos();
        this.threads = new ThreadPoolExecutor(baseThreads, MAX_THREADS, idle.toMillis(), TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), daemons("hc-event-subscriber-" + name + "-"),
                // the queue has no bound, so only a turn scheduled while the bus closes is refused: its events stay
                // unfinished and the node gets them again after a restart, as with every event queued then
                new ThreadPoolExecutor.DiscardPolicy());
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemons("hc-event-subscriber-watchdog-" + name + "-"));
        this.watchdog.scheduleWithFixedDelay(this::watch, stall.toMillis(), stall.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code turn} (a {@link SubscriberWorker}'s) on one of the threads, after the turns already waiting. */
    @Override
    public void execute(Runnable turn) {
        threads.execute(turn);
    }

    /** Threads now, busy or idle (for tests and diagnostics). */
    public int threads() {
        return threads.getPoolSize();
    }

    /** Ends the threads; call once every subscription has halted. */
    public void close() {
        watchdog.shutdownNow();
        threads.shutdownNow();
    }

    /**
     * Grows the pool by a thread when the oldest waiting turn has waited {@link #STALL}: every thread has been
     * busy that long, with a handler that blocks or runs long. Shrinks it by one when it has not had to grow
     * for {@link #IDLE}; a busy thread ends only once it is idle.
     */
    private void watch() {
        try {
            BlockingQueue<Runnable> waiting = threads.getQueue();
            Runnable oldest = waiting.peek();
            long now = System.nanoTime();
            int core = threads.getCorePoolSize();
            if (oldest instanceof SubscriberWorker.Turn turn && now - turn.scheduledAt() >= stallNanos) {
                if (core < MAX_THREADS) {
                    threads.setCorePoolSize(core + 1);
                    lastResized = now;
                    LOG.debug("Every subscriber thread was busy while {} waited {} ms: now {} thread(s)", turn,
                            TimeUnit.NANOSECONDS.toMillis(now - turn.scheduledAt()), core + 1);
                }
            } else if (core > baseThreads && now - lastResized >= idleNanos) {
                threads.setCorePoolSize(core - 1);
                lastResized = now;
            }
        } catch (RuntimeException e) {
            // never let the watchdog die: without it a blocked handler could hold up every subscription
            LOG.warn("Subscriber thread watchdog failed: {}", e.toString());
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            // a forgotten bus must not keep the JVM alive; unfinished events are redelivered anyway
            thread.setDaemon(true);
            return thread;
        };
    }
}
