package org.homeconsole.clientmanager.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.homeconsole.api.services.ServiceRegistry;
import org.homeconsole.clientmanager.jobs.JobManager;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.homeconsole.clientmanager.registry.ClientInfo;
import org.homeconsole.clientmanager.registry.ConnectionRegistry;
import org.homeconsole.clientmanager.sockets.AgentGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaches an agent wherever it is connected. An agent on this node gets the message on its socket; an
 * agent on another node (the shared {@link ConnectionRegistry} says which) gets it through that node:
 * a call to the service {@code client_manager.node.<id>} that only that node registers, so it travels
 * over Kafka to that node's inbox alone, never to every node. The holding node remembers which node
 * owns each command it delivered and forwards the agent's output and result back to it, in order of
 * arrival; the owner puts forwarded chunks back in sequence ({@link JobManager#outputForwarded}).
 */
public final class AgentRouter implements JobManager.AgentLink {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRouter.class);
    private static final String SERVICE_PREFIX = "client_manager.node.";

    private final String nodeId;
    private final AgentGateway gateway;
    private final ConnectionRegistry registry;
    private final ServiceRegistry services;
    private final ObjectMapper mapper;
    private final Duration callTimeout;
    private volatile JobManager jobs;
    /** Commands delivered here for another node: command id → owner node and chunks forwarded so far. */
    private final Map<String, Forwarding> forwarding = new ConcurrentHashMap<>();
    private boolean registered;
    /**
     * Calls to other nodes are made off the caller's thread (a socket's event loop, a REST thread): while
     * the broker is away a Kafka send may block. Commands and disconnects on a small pool, each bounded by
     * the call timeout; forwarded output and results on one thread, in the order the agent sent them.
     */
    private final ExecutorService calls;
    private final ExecutorService forwards;

    private record Forwarding(String owner, String agentId, AtomicInteger chunks, long since) {
    }

    public AgentRouter(String nodeId, AgentGateway gateway, ConnectionRegistry registry, ServiceRegistry services,
                       ObjectMapper mapper, Duration callTimeout) {
        this.nodeId = nodeId;
        this.gateway = gateway;
        this.registry = registry;
        this.services = services;
        this.mapper = mapper;
        this.callTimeout = callTimeout;
        this.calls = Executors.newFixedThreadPool(4, daemon("client-manager-calls-" + nodeId));
        this.forwards = Executors.newSingleThreadExecutor(daemon("client-manager-forwards-" + nodeId));
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Calls a node's service off this thread; fails after the call timeout whatever the broker does. */
    private CompletableFuture<JsonNode> callNode(String node, ObjectNode call, ExecutorService on) {
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + callTimeout.toNanos();
        try {
            on.execute(() -> {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    result.completeExceptionally(new TimeoutException("no time left to send the call"));
                    return;
                }
                try {
                    services.callAsync(serviceOf(node), call, Duration.ofNanos(left)).whenComplete((reply, error) -> {
                        if (error != null) {
                            result.completeExceptionally(error);
                        } else {
                            result.complete(reply);
                        }
                    });
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result.orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    static String serviceOf(String node) {
        return SERVICE_PREFIX + node;
    }

    /** Registers this node's service, through which other nodes reach its agents. */
    public synchronized void start(JobManager jobs) {
        this.jobs = jobs;
        services.register(serviceOf(nodeId), this::handle);
        registered = true;
    }

    public synchronized void stop() {
        if (registered) {
            services.unregister(serviceOf(nodeId));
            registered = false;
        }
        calls.shutdownNow();
        forwards.shutdown();
    }

    // ---- JobManager.AgentLink

    @Override
    public Optional<String> send(String agentId, ObjectNode message) {
        Optional<String> local = gateway.send(agentId, message);
        if (local.isPresent()) {
            return local;
        }
        Optional<ClientInfo> client = registry.get(agentId);
        if (client.isEmpty() || !client.get().online() || client.get().node().equals(nodeId)) {
            return Optional.empty();
        }
        String holder = client.get().node();
        // a call held up in a broker outage must not run late, after the owner reported it failed: the
        // holder drops it past a deadline well before the owner gives up waiting
        ObjectNode call = mapper.createObjectNode().put("op", message.path("type").asText())
                .put("agent_id", agentId).put("owner", nodeId)
                .put("deadline", System.currentTimeMillis() + callTimeout.toMillis() * 3 / 5);
        call.set("message", message);
        String commandId = message.path("command_id").asText();
        callNode(holder, call, calls).whenComplete((reply, error) -> {
            if (error != null || !reply.path("sent").asBoolean()) {
                String why = error != null ? "node '" + holder + "' holding agent '" + agentId + "' did not answer: "
                        + describe(error) : reply.path("reason").asText("not delivered");
                if (Protocol.COMMAND.equals(message.path("type").asText())) {
                    jobs.dispatchFailed(commandId, why, error == null && reply.path("refused").asBoolean());
                } else {
                    LOG.warn("Could not send {} for {} through node {}: {}", message.path("type").asText(), agentId, holder, why);
                }
            }
        });
        return Optional.of(JobManager.REMOTE + holder);
    }

    /** Closes an agent's socket wherever it is; {@code true} when a node had it (or was asked to). */
    public boolean disconnect(String agentId, short code, String reason) {
        if (gateway.disconnect(agentId, code, reason)) {
            return true;
        }
        Optional<ClientInfo> client = registry.get(agentId);
        if (client.isEmpty() || !client.get().online() || client.get().node().equals(nodeId)) {
            return false;
        }
        ObjectNode call = mapper.createObjectNode().put("op", "disconnect").put("agent_id", agentId)
                .put("code", code).put("reason", reason);
        try {
            return callNode(client.get().node(), call, calls).join().path("closed").asBoolean();
        } catch (RuntimeException e) {
            throw new IllegalStateException("node '" + client.get().node() + "' holding agent '" + agentId
                    + "' did not answer: " + describe(e), e);
        }
    }

    /**
     * Called by the gateway for an agent's output or result: when the command belongs to another node,
     * forwards it there and returns {@code true}.
     */
    public boolean forwardIfRemote(String agentId, JsonNode message) {
        String commandId = message.path("command_id").asText();
        Forwarding f = forwarding.get(commandId);
        if (f == null) {
            return false;
        }
        ObjectNode call = mapper.createObjectNode().put("agent_id", agentId).put("from", nodeId);
        call.set("message", message);
        if (Protocol.OUTPUT.equals(message.path("type").asText())) {
            call.put("op", "output");
            f.chunks().incrementAndGet();
        } else {
            call.put("op", "result").put("chunks", f.chunks().get());
            forwarding.remove(commandId);
        }
        callNode(f.owner(), call, forwards).whenComplete((reply, error) -> {
            if (error != null) {
                LOG.warn("Could not forward {} of command {} to node {}: {}", call.path("op").asText(), commandId,
                        f.owner(), describe(error));
            } else if (reply.hasNonNull("error")) {
                LOG.debug("Node {} refused forwarded {}: {}", f.owner(), call.path("op").asText(), reply.get("error").asText());
            }
        });
        return true;
    }

    /**
     * The agent said (cancel answered {@code unknown_command}) that it no longer has a command: when another
     * node owns it, that node is told to end it as lost, and this returns {@code true}.
     */
    public boolean lostIfRemote(String agentId, String commandId, String reason) {
        Forwarding f = forwarding.remove(commandId);
        if (f == null) {
            return false;
        }
        tellLost(f, commandId, reason);
        return true;
    }

    /**
     * The agent said hello again listing what it still runs: the commands delivered here for other nodes
     * that it does not list are lost, and their owners are told.
     */
    public void agentResumed(String agentId, java.util.Set<String> stillRunning) {
        forwarding.forEach((commandId, f) -> {
            if (f.agentId().equals(agentId) && !stillRunning.contains(commandId) && forwarding.remove(commandId, f)) {
                tellLost(f, commandId, "the agent reconnected without the command (its hello did not list it as running)");
            }
        });
    }

    private void tellLost(Forwarding f, String commandId, String reason) {
        ObjectNode call = mapper.createObjectNode().put("op", "lost").put("agent_id", f.agentId()).put("from", nodeId)
                .put("command_id", commandId).put("reason", reason);
        callNode(f.owner(), call, forwards).whenComplete((reply, error) -> {
            if (error != null) {
                LOG.warn("Could not tell node {} that command {} was lost: {}", f.owner(), commandId, describe(error));
            }
        });
    }

    /** Forgets commands forwarded for more than a day without a result (their owner gave up on them). */
    public void sweep() {
        long cutoff = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
        forwarding.values().removeIf(f -> f.since() < cutoff);
    }

    private Object handle(JsonNode call) {
        String op = call.path("op").asText();
        String agentId = call.path("agent_id").asText();
        JsonNode message = call.path("message");
        return switch (op) {
            case Protocol.COMMAND, Protocol.CANCEL -> {
                long deadline = call.path("deadline").asLong(Long.MAX_VALUE);
                if (System.currentTimeMillis() > deadline) {
                    LOG.warn("Dropped {} for {} from node {}: it arrived {} ms after its deadline", op, agentId,
                            call.path("owner").asText(), System.currentTimeMillis() - deadline);
                    yield mapper.createObjectNode().put("sent", false).put("reason", "arrived after its deadline");
                }
                if (Protocol.COMMAND.equals(op)) {
                    forwarding.put(message.path("command_id").asText(), new Forwarding(call.path("owner").asText(),
                            agentId, new AtomicInteger(), System.currentTimeMillis()));
                }
                Optional<String> session;
                try {
                    session = gateway.send(agentId, (ObjectNode) message);
                } catch (JobManager.AgentLink.NotCapable e) {
                    forwarding.remove(message.path("command_id").asText());
                    yield mapper.createObjectNode().put("sent", false).put("refused", true).put("reason", e.getMessage());
                }
                if (session.isEmpty() && Protocol.COMMAND.equals(op)) {
                    forwarding.remove(message.path("command_id").asText());
                }
                yield mapper.createObjectNode().put("sent", session.isPresent())
                        .put("reason", session.isPresent() ? "" : "agent '" + agentId + "' is not connected on node '" + nodeId + "'");
            }
            case "lost" -> {
                jobs.lostForwarded(agentId, call.path("command_id").asText(), call.path("reason").asText());
                yield mapper.createObjectNode();
            }
            case "output" -> problem(jobs.outputForwarded(agentId, message, Base64.getDecoder().decode(message.path("data").asText())));
            case "result" -> problem(jobs.resultForwarded(agentId, message, call.path("chunks").asInt()));
            case "disconnect" -> mapper.createObjectNode().put("closed",
                    gateway.disconnect(agentId, (short) call.path("code").asInt(), call.path("reason").asText()));
            default -> throw new IllegalArgumentException("unknown op '" + op + "'");
        };
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        return cause instanceof TimeoutException ? "no answer within the call timeout"
                : cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private ObjectNode problem(String error) {
        ObjectNode reply = mapper.createObjectNode();
        if (error != null) {
            reply.put("error", error);
        }
        return reply;
    }
}
