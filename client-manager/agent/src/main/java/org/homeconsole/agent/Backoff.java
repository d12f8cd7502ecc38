package org.homeconsole.agent;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: exponential backoff with full jitter (base 250 ms, factor 2, cap 30 s), so that the agents
 * of a node that died do not all come back at the same instant.
 */
final class Backoff {

    static final long BASE_MS = 250;
    static final long CAP_MS = 30_000;

    private Backoff() {
    }

    /** Upper bound of the delay before retry number {@code attempt} (0 for the first retry). */
    static long ceiling(int attempt) {
        return attempt >= 17 ? CAP_MS : Math.min(CAP_MS, BASE_MS << Math.max(0, attempt));
    }

    /** A delay drawn uniformly from {@code [0, ceiling(attempt))}. */
    static long delay(int attempt) {
        return ThreadLocalRandom.current().nextLong(ceiling(attempt));
    }
}
