package org.homeconsole.connector.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.homeconsole.api.services.ServiceCallException;
import org.homeconsole.api.services.ServiceException;
import org.homeconsole.api.services.ServiceNotFoundException;
import org.homeconsole.api.services.ServiceTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls to services on other nodes: sends the request to the callee's inbox and completes the
 * caller's future with the reply or, whichever comes first, a {@link ServiceTimeoutException}.
 */
public final class RpcClient {

    private static final Logger LOG = LoggerFactory.getLogger(RpcClient.class);

    private record Pending(String service, CompletableFuture<JsonNode> future) {
    }

    private final ConcurrentMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final Producer<String, byte[]> producer;
    private final ScheduledExecutorService timer;
    private final ObjectMapper mapper;
    private final Function<String, String> inboxOf;
    private final String replyTo;

    /**
     * @param inboxOf a node's inbox topic
     * @param replyTo this node's inbox
     */
    public RpcClient(Producer<String, byte[]> producer, ScheduledExecutorService timer, ObjectMapper mapper,
            Function<String, String> inboxOf, String replyTo) {
        this.producer = producer;
        this.timer = timer;
        this.mapper = mapper;
        this.inboxOf = inboxOf;
        this.replyTo = replyTo;
    }

    /** Calls {@code service} on {@code node}; the future fails with the registry's exceptions. */
    public CompletableFuture<JsonNode> call(String service, String node, JsonNode args, Duration timeout) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(args);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new ServiceException(service, "Cannot write the arguments of '" + service
                    + "' as JSON: " + e.getMessage(), e));
        }
        String correlationId = UUID.randomUUID().toString();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        pending.put(correlationId, new Pending(service, future));
        ScheduledFuture<?> expiry = timer.schedule(
                () -> fail(correlationId, new ServiceTimeoutException(service, node, timeout)),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        future.whenComplete((result, e) -> expiry.cancel(false));
        try {
            producer.send(RpcMessages.request(inboxOf.apply(node), service, correlationId, replyTo, body), (metadata, e) -> {
                if (e != null) {
                    fail(correlationId, cannotSend(service, node, e));
                }
            });
        } catch (RuntimeException e) {
            fail(correlationId, cannotSend(service, node, e));
        }
        return future;
    }

    private static ServiceException cannotSend(String service, String node, Exception e) {
        return new ServiceException(service, "Could not send the call of '" + service + "' to node " + node + ": "
                + e.getMessage(), e);
    }

    private void fail(String correlationId, ServiceException error) {
        Pending call = pending.remove(correlationId);
        if (call != null) {
            call.future().completeExceptionally(error);
        }
    }

    /** Completes the call a reply belongs to (consumer thread); late replies are dropped. */
    public void complete(ConsumerRecord<String, byte[]> reply) {
        String correlationId = RecordHeaders.get(reply.headers(), RpcMessages.CORRELATION_ID);
        Pending call = correlationId == null ? null : pending.remove(correlationId);
        if (call == null) {
            LOG.debug("Reply {} arrived after its call ended", correlationId);
            return;
        }
        JsonNode body;
        try {
            body = reply.value() == null || reply.value().length == 0 ? NullNode.getInstance() : mapper.readTree(reply.value());
        } catch (IOException e) {
            call.future().completeExceptionally(new ServiceException(call.service(), "Unreadable reply from service '"
                    + call.service() + "': " + e.getMessage(), e));
            return;
        }
        if (RpcMessages.OK.equals(RecordHeaders.get(reply.headers(), RpcMessages.STATUS))) {
            call.future().complete(body);
            return;
        }
        String type = body.path("type").asText("");
        String message = body.hasNonNull("message") ? body.get("message").asText() : null;
        // the directory named a node that no longer has the service: same answer as a local miss
        call.future().completeExceptionally(ServiceNotFoundException.class.getName().equals(type)
                ? new ServiceNotFoundException(call.service())
                : new ServiceCallException(call.service(), type, message, null));
    }

    /** Fails every waiting call (the registry closes). */
    public void failAll(String reason) {
        pending.keySet().forEach(id -> {
            Pending call = pending.get(id);
            if (call != null) {
                fail(id, new ServiceException(call.service(), reason, null));
            }
        });
    }
}
