package org.homeconsole.connector.kafka.internal;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * disk) cannot hold up the other subscriptions for long, a watchdog looks every {@link #STALL} while turns wait:
 * when the oldest has waited that long and no turn at all has finished since it last looked, every thread is
 * stuck in a handler, and it adds a thread. Busy threads that keep finishing turns do not make it grow, however
 * long the queue. After {@link #IDLE} without having to grow it takes one added thread back, which ends the next
 * time it finds no turn waiting. A newly blocked handler thus holds up the turns behind it for two {@link #STALL}s
 * at most (the first look only notes how many turns have finished), each time all threads are stuck.
 */
public final class SubscriberPool implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriberPool.class);
    /** how long a turn may wait for a thread, while none finishes a turn, before the pool grows */
    static final Duration STALL = Duration.ofMillis(20);
    /** how long the pool stays larger than its base after it last had to grow, per thread given back */
    static final Duration IDLE = Duration.ofSeconds(30);
    /** the most threads: far beyond any number of handlers that can block at once in one process */
    public static final int MAX_THREADS = 1024;

    private final int baseThreads;
    private final ThreadPoolExecutor threads;
    private final ScheduledExecutorService watchdog;
    private final long stallNanos;
    private final long idleNanos;
    /** whether a look of the watchdog is scheduled: only while turns wait or the pool is above its base */
    private final AtomicBoolean watching = new AtomicBoolean();
    // watchdog thread only:
    private long lastResized = System.nanoTime();
    private long completedBefore = -1;

    /**
     * @param name names the threads ({@code hc-event-subscriber-<name>-<n>})
     * @param baseThreads threads kept when no handler blocks (1 to {@link #MAX_THREADS}, checked by the settings)
     */
    public SubscriberPool(String name, int baseThreads) {
        this(name, baseThreads, STALL, IDLE);
    }

    SubscriberPool(String name, int baseThreads, Duration stall, Duration idle) {
        this.baseThreads = baseThreads;
        this.stallNanos = stall.toNanos();
        this.idleNanos = idle.toNanos();
        // threads above the core size end as soon as they find no turn waiting (keep-alive 0): the watchdog lowers
        // the core size to give one back; with a keep-alive, turns passed from thread to thread would keep them all
        this.threads = new ThreadPoolExecutor(baseThreads, MAX_THREADS, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.named("hc-event-subscriber-" + name),
                // the queue has no bound, so only a turn scheduled while the bus closes is refused: its events stay
                // unfinished and the node gets them again after a restart, as with every event queued then
                new ThreadPoolExecutor.DiscardPolicy());
        // its thread starts with the first look, so a quiet bus has none, and it sleeps while nothing waits
        this.watchdog = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("hc-event-subscriber-watchdog-" + name));
    }

    /** Runs {@code turn} (a {@link SubscriberWorker}'s) on one of the threads, after the turns already waiting. */
    @Override
    public void execute(Runnable turn) {
        threads.execute(turn);
        if (!watching.get() && watching.compareAndSet(false, true)) {
            scheduleLook();
        }
    }

    /** Threads now, busy or idle. */
    public int threads() {
        return threads.getPoolSize();
    }

    /** Threads kept when no handler blocks. */
    public int baseThreads() {
        return baseThreads;
    }

    /** Turns waiting for a thread. */
    public int waitingTurns() {
        return threads.getQueue().size();
    }

    /** Ends the threads; call once every subscription has halted. */
    public void close() {
        watchdog.shutdownNow();
        threads.shutdownNow();
    }

    private void scheduleLook() {
        try {
            watchdog.schedule(this::look, stallNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /**
     * Grows the pool by a thread when the oldest waiting turn has waited {@link #STALL} and no turn has finished
     * since the last look: every thread is stuck in a handler that blocks or runs long. Shrinks it by one when it
     * has not had to grow for {@link #IDLE}. Looks again while turns wait or the pool is above its base.
     */
    private void look() {
        try {
            Runnable oldest = threads.getQueue().peek();
            long now = System.nanoTime();
            long completed = threads.getCompletedTaskCount();
            int core = threads.getCorePoolSize();
            int size = threads.getPoolSize();
            boolean stuck = completed == completedBefore && oldest instanceof SubscriberWorker.Turn turn
                    && now - turn.scheduledAt() >= stallNanos;
            completedBefore = completed;
            if (stuck && size >= core && size < MAX_THREADS) {
                // above the core size after a shrink, threads may not have ended yet: the new size is what runs
                threads.setCorePoolSize(size + 1);
                lastResized = now;
                LOG.debug("Every subscriber thread was stuck while {} waited: now {} thread(s)", oldest, size + 1);
            } else if (!stuck && core > baseThreads && now - lastResized >= idleNanos) {
                threads.setCorePoolSize(core - 1);
                lastResized = now;
            }
        } catch (Throwable e) {
            // the looks must go on: without them a blocked handler could hold up every subscription
            LOG.error("Subscriber thread watchdog failed; looking again", e);
        } finally {
            if (!threads.getQueue().isEmpty() || threads.getCorePoolSize() > baseThreads) {
                scheduleLook();
            } else {
                watching.set(false);
                // a turn queued just before: its execute() saw the flag still set and left the look to this one
                if (!threads.getQueue().isEmpty() && watching.compareAndSet(false, true)) {
                    scheduleLook();
                }
            }
        }
    }
}
