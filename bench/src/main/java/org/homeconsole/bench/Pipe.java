package org.homeconsole.bench;

import java.util.List;

/**
 * The thing under measurement: a way to send benchmark events into Kafka and the receivers they
 * arrive at. One pipe per case, on topics of its own.
 */
interface Pipe extends AutoCloseable {

    /** Short label for the report, e.g. {@code raw} or {@code bus x4}. */
    String name();

    /**
     * Sends one event without waiting for the broker.
     *
     * @param intendedNanos {@code System.nanoTime()} at which the event was meant to be sent
     * @param acks told when the broker acknowledged (or refused) it
     */
    void send(long seq, long intendedNanos, Acks acks);

    /** Every reader; a case is complete when each has seen every event. */
    List<Receiver> receivers();

    @Override
    void close();
}
