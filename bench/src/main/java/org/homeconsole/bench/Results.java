package org.homeconsole.bench;

import org.HdrHistogram.Histogram;

/** What one case measured. */
final class Results {

    private Results() {
    }

    /**
     * @param events events sent
     * @param delivered the fewest events any receiver got (equals {@code events} when complete)
     * @param seconds from the first send until every receiver had every event (or the time cap)
     * @param ackSeconds from the first send until the broker had acknowledged the last one
     */
    record Throughput(String pipe, int round, long events, long delivered, double seconds, double ackSeconds,
            long failedSends, ResourceMeter used) {

        boolean complete() {
            return delivered >= events && failedSends == 0;
        }

        /** End to end: events every receiver got, per second. */
        double eventsPerSecond() {
            return delivered / seconds;
        }

        double ackedPerSecond() {
            return events / ackSeconds;
        }
    }

    /**
     * @param latencyMicros every recorded delivery (one per event and receiver), from intended send time
     * @param senderLagMicros how late the generator itself sent each measured event
     * @param missing deliveries that had not arrived when the run gave up waiting
     * @param achievedRate measured events sent per second of the measured window
     */
    record Latency(String pipe, int round, int receivers, long measuredEvents, Histogram latencyMicros,
            Histogram senderLagMicros, long missing, long failedSends, double achievedRate, ResourceMeter used,
            double windowSeconds) {
    }
}
