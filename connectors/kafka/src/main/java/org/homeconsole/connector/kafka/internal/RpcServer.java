package org.homeconsole.connector.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.homeconsole.api.services.ServiceHandler;
import org.homeconsole.api.services.ServiceNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the calls that arrive in this node's inbox on a bounded worker pool and sends the replies. */
public final class RpcServer {

    private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);

    private final Function<String, ServiceHandler> handlers;
    private final Producer<String, byte[]> producer;
    private final ObjectMapper mapper;
    private final ExecutorService workers;
    private final String nodeId;

    public RpcServer(Function<String, ServiceHandler> handlers, Producer<String, byte[]> producer, ObjectMapper mapper,
            ExecutorService workers, String nodeId) {
        this.handlers = handlers;
        this.producer = producer;
        this.mapper = mapper;
        this.workers = workers;
        this.nodeId = nodeId;
    }

    /** Takes a request read from the inbox (consumer thread) and answers it from a worker. */
    public void accept(ConsumerRecord<String, byte[]> request) {
        String service = RecordHeaders.get(request.headers(), RpcMessages.SERVICE);
        String correlationId = RecordHeaders.get(request.headers(), RpcMessages.CORRELATION_ID);
        String replyTo = RecordHeaders.get(request.headers(), RpcMessages.REPLY_TO);
        if (service == null || correlationId == null || replyTo == null) {
            LOG.warn("Ignoring request {}-{}@{} without {}, {} or {}", request.topic(), request.partition(), request.offset(),
                    RpcMessages.SERVICE, RpcMessages.CORRELATION_ID, RpcMessages.REPLY_TO);
            return;
        }
        try {
            workers.execute(() -> serve(service, correlationId, replyTo, request.value()));
        } catch (RejectedExecutionException e) {
            replyError(service, correlationId, replyTo, RejectedExecutionException.class.getName(),
                    "node " + nodeId + " has too many calls waiting");
        }
    }

    private void serve(String service, String correlationId, String replyTo, byte[] value) {
        ServiceHandler handler = handlers.apply(service);
        if (handler == null) {
            replyError(service, correlationId, replyTo, ServiceNotFoundException.class.getName(),
                    "no service '" + service + "' on node " + nodeId);
            return;
        }
        byte[] result;
        try {
            JsonNode args = value == null || value.length == 0 ? NullNode.getInstance() : mapper.readTree(value);
            result = mapper.writeValueAsBytes(toJson(handler.handle(args)));
        } catch (Exception e) {
            LOG.debug("Service {} failed for a call from {}", service, replyTo, e);
            replyError(service, correlationId, replyTo, e.getClass().getName(), e.getMessage());
            return;
        }
        send(service, correlationId, replyTo, true, result);
    }

    private JsonNode toJson(Object result) {
        return result == null ? NullNode.getInstance() : mapper.valueToTree(result);
    }

    private void replyError(String service, String correlationId, String replyTo, String type, String message) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(mapper.createObjectNode().put("type", type).put("message", message));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write an error reply", e);
        }
        send(service, correlationId, replyTo, false, body);
    }

    private void send(String service, String correlationId, String replyTo, boolean ok, byte[] body) {
        try {
            producer.send(RpcMessages.reply(replyTo, service, correlationId, ok, body), (metadata, e) -> {
                if (e != null) {
                    LOG.warn("Could not reply to {} for service {}: {}", replyTo, service, e.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not reply to {} for service {}: {}", replyTo, service, e.toString());
        }
    }
}
