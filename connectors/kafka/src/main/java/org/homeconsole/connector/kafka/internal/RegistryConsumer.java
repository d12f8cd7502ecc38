package org.homeconsole.connector.kafka.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service registry's consumer thread: reads the directory topic from the beginning and this
 * node's inbox from the end, both by {@code assign()} (no consumer group, nothing committed).
 */
public final class RegistryConsumer implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryConsumer.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Consumer<String, byte[]> consumer;
    private final String directoryTopic;
    private final ServiceDirectory directory;
    private final RpcServer server;
    private final RpcClient calls;
    private volatile boolean running = true;

    public RegistryConsumer(Consumer<String, byte[]> consumer, String directoryTopic, ServiceDirectory directory,
            RpcServer server, RpcClient calls) {
        this.consumer = consumer;
        this.directoryTopic = directoryTopic;
        this.directory = directory;
        this.server = server;
        this.calls = calls;
    }

    /**
     * Assigns the partitions and reads the whole directory before returning, so that duplicate
     * checks and calls see every service registered so far. Runs on the starting thread.
     */
    public void assignAndLoad(int directoryPartitions, String inboxTopic, Duration timeout) {
        List<TopicPartition> directoryParts = new ArrayList<>();
        for (int p = 0; p < directoryPartitions; p++) {
            directoryParts.add(new TopicPartition(directoryTopic, p));
        }
        TopicPartition inbox = new TopicPartition(inboxTopic, 0);
        List<TopicPartition> all = new ArrayList<>(directoryParts);
        all.add(inbox);
        consumer.assign(all);
        consumer.seekToBeginning(directoryParts);
        consumer.seekToEnd(List.of(inbox));
        // resolved now: a request sent once start() has returned is after this position
        consumer.position(inbox);
        Map<TopicPartition, Long> ends = consumer.endOffsets(directoryParts);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new KafkaException("Could not read the service directory " + directoryTopic + " within " + timeout.toSeconds() + " s");
            }
            pollOnce();
        }
    }

    @Override
    public void run() {
        while (running) {
            try {
                pollOnce();
            } catch (WakeupException | InterruptException e) {
                running = false;
            } catch (KafkaException e) {
                LOG.error("Service registry consumer failed; trying again in 1 s", e);
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /** Closes the consumer once {@link #run()} has returned. */
    public void close() {
        // no group, no commits: a grace period would only wait for the idle long-poll fetch
        consumer.close(Duration.ZERO);
    }

    private void pollOnce() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
            if (record.topic().equals(directoryTopic)) {
                directory.apply(record);
                continue;
            }
            String kind = RecordHeaders.get(record.headers(), RpcMessages.KIND);
            if (RpcMessages.REQUEST.equals(kind)) {
                server.accept(record);
            } else if (RpcMessages.REPLY.equals(kind)) {
                calls.complete(record);
            } else {
                LOG.debug("Ignoring inbox record {}-{}@{} of kind {}", record.topic(), record.partition(), record.offset(), kind);
            }
        }
    }
}
