package org.homeconsole.connector.kafka.internal;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.homeconsole.api.events.Event;

/** One event waiting in a subscriber's queue, with the record it came from (for the dead-letter topic). */
public record Delivery(Event event, ConsumerRecord<String, byte[]> record, PartitionProgress.InFlight progress) {

    public void done() {
        progress.done();
    }
}
