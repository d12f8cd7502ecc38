package org.homeconsole.clientmanager.sockets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.homeconsole.clientmanager.ClientManagerConfig;
import org.homeconsole.clientmanager.AgentTokens;
import org.homeconsole.clientmanager.Audit;
import org.homeconsole.clientmanager.jobs.JobManager;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.homeconsole.clientmanager.protocol.ProtocolValidator;
import org.homeconsole.clientmanager.registry.ClientInfo;
import org.homeconsole.clientmanager.registry.ConnectionRegistry;
import org.homeconsole.schemas.SchemaValidator.Violation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent endpoint ({@code /ws}): authenticates the upgrade by agent token, runs the protocol
 * (docs/agent-protocol.md) on each socket, keeps the registry's presence, and is the job manager's way to
 * an agent. Sockets are handled here rather than through the vertx-websocket component: per-socket
 * writes without a peer scan (DESIGN.md B2), refusal before the upgrade, and per-socket limits.
 *
 * <p>Whatever an agent sends, the node answers with an {@code error} message or a close code and goes on
 * serving the others.
 */
public final class AgentGateway implements JobManager.AgentLink {

    private static final Logger LOG = LoggerFactory.getLogger(AgentGateway.class);
    private static final int MAX_ERRORS_IN_A_ROW = 20;

    private final ClientManagerConfig config;
    private final String nodeId;
    private final AgentTokens tokens;
    private final ConnectionRegistry registry;
    private final Audit audit;
    private final ObjectMapper mapper;
    private final ClientEvents clientEvents;
    private final ConcurrentHashMap<String, AgentSession> sessions = new ConcurrentHashMap<>();
    private volatile JobManager jobs;
    private volatile org.homeconsole.clientmanager.cluster.AgentRouter router;
    private Route route;
    private Vertx vertx;
    private long sweepTimer = -1;

    /** Where presence changes go (events on the bus, the admin stream). */
    public interface ClientEvents {
        void connected(ClientInfo client);

        void disconnected(ClientInfo client);
    }

    public AgentGateway(ClientManagerConfig config, String nodeId, AgentTokens tokens, ConnectionRegistry registry,
                        Audit audit, ObjectMapper mapper, ClientEvents clientEvents) {
        this.config = config;
        this.nodeId = nodeId;
        this.tokens = tokens;
        this.registry = registry;
        this.audit = audit;
        this.mapper = mapper;
        this.clientEvents = clientEvents;
    }

    public void jobs(JobManager jobs) {
        this.jobs = jobs;
    }

    /** Where output and results of commands owned by other nodes go. */
    public void router(org.homeconsole.clientmanager.cluster.AgentRouter router) {
        this.router = router;
    }

    private boolean forwarded(AgentSession session, JsonNode message) {
        var current = router;
        return current != null && current.forwardIfRemote(session.agentId, message);
    }

    /** Serves the agent path on a router and starts the heartbeat sweep. */
    public synchronized void mount(Router router, Vertx vertx) {
        this.vertx = vertx;
        this.route = router.route(config.agentPath()).handler(this::upgrade);
        long period = Math.max(100, Math.min(1000, config.heartbeatIntervalMs() / 2));
        this.sweepTimer = vertx.setPeriodic(period, id -> sweep());
    }

    /** Stops serving: closes every socket ({@code 1001 going away}). */
    public synchronized void unmount() {
        if (route != null) {
            route.remove();
            route = null;
        }
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
            sweepTimer = -1;
        }
        for (AgentSession session : new ArrayList<>(sessions.values())) {
            close(session, Protocol.CLOSE_GOING_AWAY, "client manager stopping", "node stopping");
        }
    }

    public int connectedCount() {
        return sessions.size();
    }

    // ---- JobManager.AgentLink

    @Override
    public Optional<String> send(String agentId, ObjectNode message) {
        AgentSession session = sessions.get(agentId);
        if (session == null || session.state != AgentSession.State.ONLINE) {
            return Optional.empty();
        }
        if (!session.exec && Protocol.COMMAND.equals(message.path("type").asText())) {
            throw new NotCapable("agent '" + agentId + "' does not announce the capability '" + Protocol.CAP_EXEC + "'");
        }
        session.socket.writeTextMessage(toJson(message));
        return Optional.of(session.id);
    }

    /** Closes an agent's socket on an operator's request; {@code true} when it had one here. */
    public boolean disconnect(String agentId, short code, String reason) {
        AgentSession session = sessions.get(agentId);
        if (session == null) {
            return false;
        }
        close(session, code, reason, reason);
        return true;
    }

    // ---- upgrade and protocol

    private void upgrade(RoutingContext ctx) {
        String remote = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().toString();
        Optional<String> agentId = tokens.verifyAuthorization(ctx.request().getHeader(Protocol.AUTHORIZATION));
        if (agentId.isEmpty()) {
            audit.record("agent.auth_refused", null, Map.of("remote_address", remote,
                    "reason", ctx.request().getHeader(Protocol.AUTHORIZATION) == null ? "no token" : "invalid token"));
            ctx.response().setStatusCode(401).putHeader("Content-Type", "application/problem+json")
                    .end("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                            + "\"detail\":\"send the agent token as 'Authorization: Bearer <token>'\"}");
            return;
        }
        ctx.request().toWebSocket().onSuccess(socket -> open(socket, agentId.get()))
                .onFailure(e -> LOG.debug("WebSocket upgrade from {} failed: {}", remote, e.toString()));
    }

    private void open(ServerWebSocket socket, String agentId) {
        AgentSession session = new AgentSession(newId(), agentId, socket, config.messagesPerSecond());
        FrameReader frames = new FrameReader(config.maxFrameBytes(), new FrameReader.Messages() {
            @Override
            public void text(String text) {
                onText(session, text);
            }

            @Override
            public void binary() {
                onBinary(session);
            }

            @Override
            public void tooBig(long bytes) {
                close(session, Protocol.CLOSE_TOO_BIG, "message of " + bytes + " bytes exceeds " + config.maxFrameBytes(),
                        "message too big");
            }

            @Override
            public void notUtf8() {
                close(session, Protocol.CLOSE_INVALID_DATA, "text frame is not valid UTF-8", "invalid UTF-8");
            }
        });
        socket.frameHandler(frames::frame);
        socket.exceptionHandler(e -> LOG.debug("Agent {} socket error: {}", agentId, e.toString()));
        socket.closeHandler(v -> onClosed(session));
        vertx.setTimer(config.helloTimeoutMs(), id -> {
            if (session.state == AgentSession.State.AWAITING_HELLO) {
                close(session, Protocol.CLOSE_HELLO_TIMEOUT, "no hello within " + config.helloTimeoutMs() + " ms", null);
            }
        });
    }

    private void onBinary(AgentSession session) {
        if (session.state == AgentSession.State.CLOSED) {
            return;
        }
        String text = "binary frames are not used in protocol version " + Protocol.VERSION;
        if (session.state == AgentSession.State.AWAITING_HELLO) {
            refuseBeforeHello(session, Protocol.ERR_INVALID, text, null);
        } else if (otherBudget(session)) {
            error(session, Protocol.ERR_INVALID, text, null, null);
        }
    }

    private void onText(AgentSession session, String text) {
        if (session.state == AgentSession.State.CLOSED) {
            return;
        }
        JsonNode message;
        try {
            message = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            refuse(session, Protocol.ERR_MALFORMED, "not JSON: " + e.getOriginalMessage(), null, null);
            return;
        }
        if (message == null || !message.isObject()) {
            refuse(session, Protocol.ERR_MALFORMED, "a message must be a JSON object", null, null);
            return;
        }
        String type = message.path("type").asText(null);
        if (session.state == AgentSession.State.AWAITING_HELLO) {
            List<Violation> violations = ProtocolValidator.validate(message);
            if (!Protocol.HELLO.equals(type)) {
                refuseBeforeHello(session, ProtocolValidator.isKnownType(type) ? Protocol.ERR_INVALID : Protocol.ERR_UNKNOWN_TYPE,
                        "the first message must be hello, not " + (type == null ? "a message without type" : "'" + type + "'"), type);
            } else if (!violations.isEmpty()) {
                refuseBeforeHello(session, Protocol.ERR_INVALID, describe(violations), type);
            } else {
                hello(session, message);
            }
            return;
        }
        boolean commandTraffic = Protocol.OUTPUT.equals(type) || Protocol.RESULT.equals(type);
        if (commandTraffic ? !holdIfOverRate(session) : !otherBudget(session)) {
            return;
        }
        if (type != null && ProtocolValidator.isKnownType(type) && !fromAgent(type)) {
            error(session, Protocol.ERR_INVALID, "'" + type + "' is sent by the server, not by agents", type, null);
            return;
        }
        List<Violation> violations = ProtocolValidator.validate(message);
        if (!violations.isEmpty()) {
            String code = ProtocolValidator.isKnownType(type) ? Protocol.ERR_INVALID : Protocol.ERR_UNKNOWN_TYPE;
            String commandId = usableCommandId(message);
            error(session, code, describe(violations), type, commandId);
            if (Protocol.RESULT.equals(type) && commandId != null) {
                // the caller must not wait for a result that will never be valid: the run ends failed, saying why
                result(session, invalidResult(message, commandId, describe(violations)));
            }
            return;
        }
        session.errorsInARow = 0;
        switch (type) {
            case Protocol.HELLO -> {
                error(session, Protocol.ERR_INVALID, "hello was already received", type, null);
                close(session, Protocol.CLOSE_POLICY, "hello sent twice", "hello sent twice");
            }
            case Protocol.HEARTBEAT -> heartbeat(session);
            case Protocol.OUTPUT -> output(session, message);
            case Protocol.RESULT -> result(session, message);
            case Protocol.ERROR -> agentError(session, message);
            default -> error(session, Protocol.ERR_UNKNOWN_TYPE, "unexpected type '" + type + "'", type, null);
        }
    }

    private void result(AgentSession session, JsonNode message) {
        if (forwarded(session, message)) {
            return;
        }
        String problem = jobs.result(session.agentId, message);
        if (problem != null && !message.has(SYNTHETIC)) {
            error(session, Protocol.ERR_UNKNOWN_COMMAND, problem, Protocol.RESULT, message.path("command_id").asText(null));
        }
    }

    /** Marks the failed result the node makes of an agent's invalid one (never sent to or by an agent). */
    private static final String SYNTHETIC = "x_synthetic";

    private ObjectNode invalidResult(JsonNode message, String commandId, String problem) {
        ObjectNode result = mapper.createObjectNode().put("type", Protocol.RESULT).put("command_id", commandId)
                .put("state", Protocol.STATE_FAILED).putNull("exit_code")
                .put("duration_ms", Math.max(0, message.path("duration_ms").asLong(0)))
                .put("output_bytes", Math.max(0, message.path("output_bytes").asLong(0)))
                .put("truncated", message.path("truncated").asBoolean(false))
                .put("error", truncateText("the agent sent an invalid result (" + problem + "): " + message, 4096))
                .put(SYNTHETIC, true);
        return result;
    }

    private void agentError(AgentSession session, JsonNode message) {
        String code = message.path("code").asText();
        String commandId = message.path("command_id").asText(null);
        LOG.debug("Agent {} reports {}: {}", session.agentId, code, message.path("message").asText());
        if (Protocol.ERR_UNKNOWN_COMMAND.equals(code) && Protocol.CANCEL.equals(message.path("ref_type").asText())
                && commandId != null) {
            String reason = "the agent does not know the command (it answered cancel with unknown_command)";
            var current = router;
            if (current == null || !current.lostIfRemote(session.agentId, commandId, reason)) {
                jobs.agentForgot(session.agentId, commandId, reason);
            }
        }
    }

    private static String usableCommandId(JsonNode message) {
        JsonNode id = message.get("command_id");
        return id != null && id.isTextual() && !id.textValue().isEmpty() && id.textValue().length() <= 128 ? id.textValue() : null;
    }

    private static String describe(List<Violation> violations) {
        Violation first = violations.get(0);
        return first.field() + ": " + first.message();
    }

    /** Before hello every wrong message ends the socket: the error says why, then close 1008. */
    private void refuseBeforeHello(AgentSession session, String code, String text, String refType) {
        error(session, code, text, refType, null);
        close(session, Protocol.CLOSE_POLICY, "the first message must be a valid hello", null);
    }

    /** A message that could not be read: before hello it ends the socket, after it an error answers it. */
    private void refuse(AgentSession session, String code, String text, String refType, String commandId) {
        if (session.state == AgentSession.State.AWAITING_HELLO) {
            refuseBeforeHello(session, code, text, refType);
        } else if (otherBudget(session)) {
            error(session, code, text, refType, commandId);
        }
    }

    private static boolean fromAgent(String type) {
        return switch (type) {
            case Protocol.HELLO, Protocol.HEARTBEAT, Protocol.OUTPUT, Protocol.RESULT, Protocol.ERROR -> true;
            default -> false;
        };
    }

    private void hello(AgentSession session, JsonNode hello) {
        // the highest version this server speaks that is not above the agent's (docs/agent-protocol.md §11)
        int protocol = Math.min(hello.path("protocol").asInt(), Protocol.VERSION);
        String claimed = hello.path("agent_id").asText();
        if (!claimed.equals(session.agentId)) {
            audit.record("agent.identity_refused", session.agentId, Map.of("claimed_agent_id", claimed,
                    "remote_address", session.remoteAddress));
            error(session, Protocol.ERR_INVALID, "agent_id: '" + claimed + "' is not the agent of this token", Protocol.HELLO, null);
            close(session, Protocol.CLOSE_POLICY, "hello.agent_id '" + claimed + "' is not the agent of this token", null);
            return;
        }
        Map<String, String> labels = new TreeMap<>();
        hello.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        List<String> capabilities = new ArrayList<>();
        if (hello.has("capabilities")) {
            hello.path("capabilities").forEach(c -> capabilities.add(c.asText()));
        } else {
            capabilities.add(Protocol.CAP_EXEC); // absent means ["exec"]
        }
        Instant now = Instant.now();
        ClientInfo info = new ClientInfo(session.agentId, session.id, nodeId, ClientInfo.ONLINE, now, now,
                session.remoteAddress, Map.copyOf(labels),
                new ClientInfo.AgentDetails(hello.path("hostname").asText(), hello.path("os").asText(),
                        hello.path("arch").asText(null), hello.path("agent_version").asText(), protocol,
                        List.copyOf(capabilities)), null, null);
        session.exec = capabilities.contains(Protocol.CAP_EXEC);
        if (hello.has("running")) {
            // before the session can be sent anything: only commands sent on earlier sockets are judged
            Set<String> running = new HashSet<>();
            hello.get("running").forEach(id -> running.add(id.asText()));
            jobs.agentResumed(session.agentId, running);
            var current = router;
            if (current != null) {
                current.agentResumed(session.agentId, running);
            }
        }
        session.state = AgentSession.State.ONLINE;
        session.lastHeartbeatMillis = System.currentTimeMillis();
        session.info = info;
        AgentSession previous = sessions.put(session.agentId, session);
        if (previous != null && previous != session) {
            // the old socket's close must not mark the agent offline: this session now holds it
            previous.state = AgentSession.State.CLOSED;
            // its running commands go on: the agent sends their results over this session
            previous.socket.close(Protocol.CLOSE_REPLACED, "replaced by a newer connection of the same agent");
            ClientInfo old = previous.info;
            if (old != null) {
                clientEvents.disconnected(old.offline(now, "replaced"));
            }
        }
        try {
            registry.online(info);
        } catch (RuntimeException e) {
            // the shared registry is down: the agent is served here; the registry learns of it on re-announce
            LOG.warn("Registry unavailable while registering {}: {}", session.agentId, e.getMessage());
        }
        ObjectNode welcome = mapper.createObjectNode()
                .put("type", Protocol.WELCOME)
                .put("protocol", protocol)
                .put("session_id", session.id)
                .put("node_id", nodeId)
                .put("heartbeat_interval_ms", config.heartbeatIntervalMs())
                .put("heartbeat_timeout_ms", config.heartbeatTimeoutMs())
                .put("max_frame_bytes", config.maxFrameBytes())
                .put("max_messages_per_second", config.messagesPerSecond());
        session.socket.writeTextMessage(toJson(welcome));
        clientEvents.connected(info);
        jobs.agentOnline(session.agentId);
    }

    private void heartbeat(AgentSession session) {
        long now = System.currentTimeMillis();
        session.lastHeartbeatMillis = now;
        try {
            registry.heartbeat(session.agentId, session.id, Instant.ofEpochMilli(now));
        } catch (RuntimeException e) {
            LOG.debug("Registry unavailable for the heartbeat of {}: {}", session.agentId, e.getMessage());
        }
    }

    /**
     * Writes every live session of this node into the registry again (after the shared registry lost its
     * state, e.g. a Redis restart). Returns how many were re-announced.
     */
    public int reannounce() {
        int count = 0;
        for (AgentSession session : sessions.values()) {
            ClientInfo info = session.info;
            if (session.state == AgentSession.State.ONLINE && info != null) {
                try {
                    if (registry.reannounce(info.withHeartbeat(Instant.ofEpochMilli(session.lastHeartbeatMillis)))) {
                        count++;
                    } else {
                        // another node holds this agent now
                        close(session, Protocol.CLOSE_REPLACED, "the agent is connected to another node", null);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Could not re-announce {}: {}", session.agentId, e.getMessage());
                    return count;
                }
            }
        }
        return count;
    }

    private void output(AgentSession session, JsonNode message) {
        byte[] data;
        try {
            data = Base64.getDecoder().decode(message.path("data").asText());
        } catch (IllegalArgumentException e) {
            error(session, Protocol.ERR_INVALID, "data: not base64 (" + e.getMessage() + ")", Protocol.OUTPUT,
                    message.path("command_id").asText(null));
            return;
        }
        if (data.length > Protocol.MAX_CHUNK_BYTES) {
            error(session, Protocol.ERR_INVALID, "data: a chunk carries at most " + Protocol.MAX_CHUNK_BYTES + " bytes",
                    Protocol.OUTPUT, message.path("command_id").asText(null));
            return;
        }
        if (forwarded(session, message)) {
            return;
        }
        JobManager.Refusal problem = jobs.output(session.agentId, message, data);
        if (problem != null) {
            error(session, problem.code(), problem.message(), Protocol.OUTPUT, message.path("command_id").asText(null));
        }
    }

    /**
     * Output and results are never refused for their rate: beyond it the socket is paused (TCP then holds
     * the agent's writes back, and the agent's reads of its process pipes with them) until the budget is
     * ahead again. Returns {@code false} only when the session has ended.
     */
    private boolean holdIfOverRate(AgentSession session) {
        long holdMs = session.commandTraffic.takeOrOwe();
        if (holdMs > 0 && !session.held) {
            session.held = true;
            session.socket.pause();
            vertx.setTimer(holdMs, id -> {
                session.held = false;
                if (session.state != AgentSession.State.CLOSED) {
                    session.socket.resume();
                }
            });
        }
        return session.state != AgentSession.State.CLOSED;
    }

    /** Every message but output and results: beyond the rate, error {@code rate_limited} and close 4008. */
    private boolean otherBudget(AgentSession session) {
        if (session.otherTraffic.take()) {
            return true;
        }
        if (session.state != AgentSession.State.CLOSED) {
            error(session, Protocol.ERR_RATE_LIMITED, "more than " + config.messagesPerSecond()
                    + " messages per second besides output and results", null, null);
            close(session, Protocol.CLOSE_RATE_LIMITED, "message rate limit exceeded", "rate limited");
        }
        return false;
    }

    private void error(AgentSession session, String code, String text, String refType, String commandId) {
        ObjectNode error = mapper.createObjectNode().put("type", Protocol.ERROR).put("code", code).put("message", text);
        if (refType != null) {
            error.put("ref_type", refType);
        }
        if (commandId != null) {
            error.put("command_id", commandId);
        }
        if (!session.socket.isClosed()) {
            session.socket.writeTextMessage(toJson(error));
        }
        if (++session.errorsInARow > MAX_ERRORS_IN_A_ROW) {
            close(session, Protocol.CLOSE_RATE_LIMITED, "too many bad messages in a row", "too many bad messages");
        }
    }

    /** Ends a session from this side; the registry and jobs learn of it at once, not when TCP closes. */
    private void close(AgentSession session, short code, String reason, String offlineReason) {
        session.closeReason = offlineReason != null ? offlineReason : reason;
        markGone(session);
        if (!session.socket.isClosed()) {
            session.socket.close(code, truncate(reason));
        }
    }

    private void onClosed(AgentSession session) {
        if (session.closeReason == null) {
            Short code = session.socket.closeStatusCode();
            session.closeReason = "connection closed" + (code != null ? " (" + code + ")" : "");
        }
        markGone(session);
    }

    private void markGone(AgentSession session) {
        AgentSession.State before = session.state;
        session.state = AgentSession.State.CLOSED;
        if (before != AgentSession.State.ONLINE || !sessions.remove(session.agentId, session)) {
            return;
        }
        try {
            registry.offline(session.agentId, session.id, Instant.now(), session.closeReason)
                    .ifPresent(clientEvents::disconnected);
        } catch (RuntimeException e) {
            LOG.warn("Registry unavailable while marking {} offline: {}", session.agentId, e.getMessage());
        }
        jobs.agentGone(session.agentId, session.closeReason, Math.max(config.heartbeatTimeoutMs(), 10_000));
    }

    /** Marks offline, and closes, the sockets whose agents missed the heartbeat window; sweeps jobs. */
    private void sweep() {
        long cutoff = System.currentTimeMillis() - config.heartbeatTimeoutMs();
        for (AgentSession session : sessions.values()) {
            if (session.state == AgentSession.State.ONLINE && session.lastHeartbeatMillis < cutoff) {
                close(session, Protocol.CLOSE_HEARTBEAT_TIMEOUT, "no heartbeat for " + config.heartbeatTimeoutMs() + " ms",
                        "heartbeat timeout");
            }
        }
        JobManager current = jobs;
        if (current != null) {
            vertx.executeBlocking(() -> {
                current.sweep();
                return null;
            }, false);
        }
    }

    private String toJson(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String truncateText(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private static String truncate(String reason) {
        // a close frame's reason must fit 123 bytes
        return reason.length() <= 120 ? reason : reason.substring(0, 120);
    }

    private static String newId() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    /** For a consumer that wants each live session's agent id (tests, metrics). */
    public void forEachAgent(Consumer<String> consumer) {
        sessions.keySet().forEach(consumer);
    }
}
