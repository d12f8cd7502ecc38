package org.homeconsole.connector.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.homeconsole.api.services.DuplicateServiceException;
import org.homeconsole.api.services.ServiceCallException;
import org.homeconsole.api.services.ServiceException;
import org.homeconsole.api.services.ServiceHandler;
import org.homeconsole.api.services.ServiceNotFoundException;
import org.homeconsole.api.services.ServiceRegistry;
import org.homeconsole.connector.kafka.internal.DaemonThreads;
import org.homeconsole.connector.kafka.internal.KafkaClientConfigs;
import org.homeconsole.connector.kafka.internal.KafkaTopics;
import org.homeconsole.connector.kafka.internal.RegistryConsumer;
import org.homeconsole.connector.kafka.internal.RpcClient;
import org.homeconsole.connector.kafka.internal.RpcServer;
import org.homeconsole.connector.kafka.internal.ServiceDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ServiceRegistry} across nodes, on Kafka; one instance per node.
 *
 * <p>Services registered here live in a local map and are called directly, on the caller's
 * thread. Which node holds which service is written to the compacted <b>directory</b> topic
 * {@code homeconsole.services} (key = service name, value = {@code {"node": "<nodeId>"}}, a
 * tombstone on {@link #unregister}); every node reads it from the beginning and keeps a copy. A
 * call to a service of another node goes to that node's <b>inbox</b> topic
 * {@code homeconsole.rpc.<nodeId>} (one partition, read from the end) and its reply comes back to
 * the caller's inbox. Requests carry the headers {@code hc_kind=request}, {@code hc_service},
 * {@code hc_correlation_id} and {@code hc_reply_to}, and the arguments as JSON; replies carry
 * {@code hc_kind=reply}, {@code hc_correlation_id} and {@code hc_status=ok|error}, and the result as
 * JSON or {@code {"type": "<exception class>", "message": "..."}}. Remote calls run on a bounded
 * worker pool; a caller waits at most {@link KafkaServiceRegistrySettings#callTimeout()}.
 *
 * <p>A node that stops keeps its directory entries, so callers of its services get a
 * {@link org.homeconsole.api.services.ServiceTimeoutException} until it is back; on start a node
 * removes the entries that still name it. Two nodes registering one name at the same instant both
 * succeed and the later directory record wins (logged as a warning).
 *
 * <p>Futures of remote calls complete on the registry's consumer thread: use the {@code ...Async}
 * stages for anything slow.
 */
public final class KafkaServiceRegistry implements ServiceRegistry, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaServiceRegistry.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(30);
    // requests nobody reads any more are worthless after their callers have timed out
    private static final String INBOX_RETENTION_MS = String.valueOf(Duration.ofHours(1).toMillis());

    private final KafkaServiceRegistrySettings settings;
    private final ObjectMapper mapper;
    private final Map<String, ServiceHandler> local = new ConcurrentHashMap<>();
    private final ServiceDirectory directory;
    private final ScheduledThreadPoolExecutor timer;
    private volatile boolean started;
    private volatile boolean closed;
    private Producer<String, byte[]> producer;
    private ThreadPoolExecutor workers;
    private RpcClient rpcClient;
    private RegistryConsumer consumer;
    private Thread consumerThread;

    public KafkaServiceRegistry(KafkaServiceRegistrySettings settings) {
        this(settings, JsonMapper.builder().findAndAddModules().build());
    }

    /** @param mapper turns arguments and results into JSON (share the application's) */
    public KafkaServiceRegistry(KafkaServiceRegistrySettings settings, ObjectMapper mapper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.directory = new ServiceDirectory(settings.directoryTopic(), settings.nodeId(), local::containsKey, mapper);
        this.timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("hc-rpc-timeouts-" + settings.nodeId()));
        this.timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Creates the directory and this node's inbox when missing, reads the whole directory, removes
     * entries left by this node's previous run, and starts answering calls.
     */
    public synchronized KafkaServiceRegistry start() {
        if (started || closed) {
            throw new IllegalStateException("Service registry of node " + settings.nodeId() + " was already started");
        }
        String client = "homeconsole-services-" + settings.nodeId();
        Map<String, Object> overrides = settings.clientProperties();
        String inbox = settings.inboxTopic(settings.nodeId());
        try {
            int directoryPartitions;
            try (Admin admin = Admin.create(KafkaClientConfigs.admin(settings.bootstrapServers(), client + "-admin", overrides))) {
                directoryPartitions = KafkaTopics.ensure(admin, settings.directoryTopic(), 1, settings.replicationFactor(),
                        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                KafkaTopics.ensure(admin, inbox, 1, settings.replicationFactor(),
                        Map.of(TopicConfig.RETENTION_MS_CONFIG, INBOX_RETENTION_MS));
            }
            // calls wait on this path: no batching delay
            producer = new KafkaProducer<>(KafkaClientConfigs.producer(settings.bootstrapServers(), client + "-producer",
                    Duration.ZERO, overrides));
            workers = new ThreadPoolExecutor(settings.workerThreads(), settings.workerThreads(), 0, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(settings.workerQueueCapacity()), DaemonThreads.named("hc-rpc-worker-" + settings.nodeId()));
            RpcServer server = new RpcServer(local::get, producer, mapper, workers, settings.nodeId());
            rpcClient = new RpcClient(producer, timer, mapper, settings::inboxTopic, inbox);
            consumer = new RegistryConsumer(new KafkaConsumer<>(KafkaClientConfigs.consumer(settings.bootstrapServers(),
                    client + "-consumer", null, overrides)), settings.directoryTopic(), directory, server, rpcClient);
            consumer.assignAndLoad(directoryPartitions, inbox, LOAD_TIMEOUT);
            removeStaleEntries();
            consumerThread = new Thread(consumer, "hc-rpc-consumer-" + settings.nodeId());
            consumerThread.setDaemon(true);
            consumerThread.start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        started = true;
        LOG.info("Service registry of node {} started ({} services known)", settings.nodeId(), directory.names().size());
        return this;
    }

    private void removeStaleEntries() {
        for (String name : directory.namesOwnedBy(settings.nodeId())) {
            LOG.info("Removing service {} left in the directory by this node's previous run", name);
            sendAndWait(directory.tombstone(name), name);
            directory.release(name);
        }
    }

    @Override
    public void register(String name, ServiceHandler handler) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Service name must not be blank");
        }
        Objects.requireNonNull(handler, "handler");
        requireStarted();
        if (local.putIfAbsent(name, handler) != null) {
            throw new DuplicateServiceException(name, "this node (" + settings.nodeId() + ")");
        }
        String owner = directory.owner(name);
        if (owner != null && !owner.equals(settings.nodeId())) {
            local.remove(name, handler);
            throw new DuplicateServiceException(name, "node " + owner);
        }
        try {
            sendAndWait(directory.entry(name), name);
        } catch (ServiceException e) {
            local.remove(name, handler);
            throw e;
        }
        directory.claim(name);
    }

    @Override
    public boolean unregister(String name) {
        if (name == null || local.remove(name) == null) {
            return false;
        }
        directory.release(name);
        try {
            sendAndWait(directory.tombstone(name), name);
        } catch (ServiceException e) {
            LOG.warn("Service {} is gone from this node but still in the directory: {}", name, e.getMessage());
        }
        return true;
    }

    @Override
    public JsonNode call(String name, Object args) {
        CompletableFuture<JsonNode> result = callAsync(name, args, settings.callTimeout());
        try {
            // the timer fails remote calls at the timeout; the margin only guards against a lost timer
            return result.get(settings.callTimeout().plus(STOP_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new ServiceException(name, "Call of service '" + name + "' failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new ServiceException(name, "Call of service '" + name + "' did not end", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceException(name, "Interrupted while calling service '" + name + "'", e);
        }
    }

    @Override
    public CompletableFuture<JsonNode> callAsync(String name, Object args, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        ServiceHandler handler = name == null ? null : local.get(name);
        if (handler != null) {
            return callLocal(name, handler, args);
        }
        String node = name == null ? null : directory.owner(name);
        if (node == null || node.equals(settings.nodeId())) {
            return CompletableFuture.failedFuture(new ServiceNotFoundException(name));
        }
        if (!started || closed) {
            return CompletableFuture.failedFuture(new ServiceException(name, "Service registry of node "
                    + settings.nodeId() + " is not running", null));
        }
        try {
            return rpcClient.call(name, node, toJson(args), timeout);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new ServiceException(name, "Cannot turn the arguments of '" + name
                    + "' into JSON: " + e.getMessage(), e));
        }
    }

    private CompletableFuture<JsonNode> callLocal(String name, ServiceHandler handler, Object args) {
        try {
            Object result = handler.handle(toJson(args));
            return CompletableFuture.completedFuture(toJson(result));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(new ServiceCallException(name, e.getClass().getName(), e.getMessage(), e));
        }
    }

    @Override
    public Set<String> names() {
        Set<String> names = new HashSet<>(local.keySet());
        names.addAll(directory.names());
        return names;
    }

    /** Names registered on this node. */
    public Set<String> localNames() {
        return Set.copyOf(local.keySet());
    }

    public KafkaServiceRegistrySettings settings() {
        return settings;
    }

    /**
     * Stops answering and calling; waiting calls fail. Directory entries stay (see the class
     * comment); {@link #unregister} first what should disappear from other nodes at once.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (consumer != null) {
            consumer.stop();
            try {
                if (consumerThread != null) {
                    consumerThread.join(STOP_TIMEOUT.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                workers.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (rpcClient != null) {
            rpcClient.failAll("Service registry of node " + settings.nodeId() + " closed before the reply came");
        }
        timer.shutdownNow();
        if (producer != null) {
            producer.close(STOP_TIMEOUT);
        }
        LOG.info("Service registry of node {} closed", settings.nodeId());
    }

    private void sendAndWait(ProducerRecord<String, byte[]> record, String name) {
        try {
            producer.send(record).get(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ServiceException(name, "Could not write service '" + name + "' to the directory: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new ServiceException(name, "Kafka did not acknowledge the directory entry of '" + name + "' within "
                    + settings.callTimeout().toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceException(name, "Interrupted while writing service '" + name + "' to the directory", e);
        }
    }

    private JsonNode toJson(Object value) {
        return value == null ? NullNode.getInstance() : mapper.valueToTree(value);
    }

    private void requireStarted() {
        if (!started || closed) {
            throw new IllegalStateException("Service registry of node " + settings.nodeId() + " is not running");
        }
    }
}
