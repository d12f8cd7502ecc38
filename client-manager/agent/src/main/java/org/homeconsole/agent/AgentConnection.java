package org.homeconsole.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;
import org.homeconsole.clientmanager.protocol.Messages;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.homeconsole.clientmanager.protocol.ProtocolValidator;
import org.homeconsole.schemas.SchemaValidator.Violation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent identity's link to the client manager: connects with its token, says hello, follows the welcome's
 * heartbeat schedule, hands commands to its {@link CommandExecutor}, and reconnects with backoff (rotating
 * through the server URLs) until it is stopped for good: HTTP 401, close 4000 (replaced), 4010 (token revoked),
 * 4003 (unsupported version) or {@link #shutdown}.
 *
 * <p>Threading: everything runs on the connection's own event-loop context, except {@link #tick} (the group's
 * ticker) and the {@link Outbox}, which command threads use.
 */
final class AgentConnection {

    private static final Logger LOG = LoggerFactory.getLogger(AgentConnection.class);

    static final long WELCOME_TIMEOUT_MS = 15_000;
    static final long RATE_LIMITED_MIN_DELAY_MS = 5_000;
    private static final int MAX_TEXT = 4_096;

    private final AgentGroup group;
    private final String agentId;
    private final String token;
    private final CommandExecutor executor;
    private final Context context;
    private final Outbox outbox;
    private final Promise<StopReason> stopped = Promise.promise();

    // on the context only
    private int attempt;
    private int urlIndex;
    private boolean stopping;
    private long reconnectTimer = -1;
    private long openedAt;
    private long heartbeatIntervalMs;
    private long heartbeatTimeoutMs;
    private long lastHeardAt;
    private WebSocket ws;

    /** When {@link #check} is next due; read by the group's ticker thread. */
    private volatile long nextCheckAt = Long.MAX_VALUE;

    AgentConnection(AgentGroup group, String agentId, String token, CommandExecutor executor) {
        this.group = group;
        this.agentId = agentId;
        this.token = token;
        this.executor = executor;
        this.context = group.newContext();
        this.outbox = new Outbox(context, agentId);
    }

    String agentId() {
        return agentId;
    }

    /** Completes when the connection stopped for good, with the reason. */
    Future<StopReason> stopped() {
        return stopped.future();
    }

    /** Connects (and keeps reconnecting) until stopped. */
    void start() {
        context.runOnContext(v -> connect());
    }

    /**
     * Stops for good: cancels running commands, waits up to {@code graceMs} for their results to be sent, then
     * closes the socket with 1001 (going away). The returned future completes once the close frame is written.
     */
    Future<Void> shutdown(long graceMs) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            stopForGood(StopReason.SHUTDOWN);
            closeWhenIdle(now() + graceMs, done);
        });
        return done.future();
    }

    static long now() {
        return System.nanoTime() / 1_000_000;
    }

    // ---- connecting

    private void connect() {
        if (stopping) {
            return;
        }
        URI url = group.settings().urls().get(urlIndex);
        WebSocketConnectOptions options = new WebSocketConnectOptions().setAbsoluteURI(url.toString())
                .addHeader(Protocol.AUTHORIZATION, "Bearer " + token);
        group.client().connect(options).onComplete(ar -> {
            if (ar.succeeded()) {
                opened(ar.result());
            } else {
                connectFailed(url, ar.cause());
            }
        });
    }

    private void connectFailed(URI url, Throwable cause) {
        if (cause instanceof UpgradeRejectedException rejected && (rejected.getStatus() == 401 || rejected.getStatus() == 403)) {
            LOG.error("Agent {}: {} refused the token (HTTP {}); stopping. Check the token, or issue a new one.",
                    agentId, url, rejected.getStatus());
            stopForGood(StopReason.TOKEN_REFUSED);
            return;
        }
        String why = cause instanceof UpgradeRejectedException rejected ? "HTTP " + rejected.getStatus() : String.valueOf(cause.getMessage());
        reconnectLater(0, "cannot connect to " + url + ": " + why);
    }

    private void opened(WebSocket socket) {
        if (stopping) {
            socket.close(Protocol.CLOSE_GOING_AWAY, "agent shutting down");
            return;
        }
        ws = socket;
        outbox.attach(socket);
        openedAt = now();
        lastHeardAt = openedAt;
        nextCheckAt = openedAt + WELCOME_TIMEOUT_MS;
        socket.setWriteQueueMaxSize(512 * 1024);
        socket.textMessageHandler(this::onText);
        socket.binaryMessageHandler(this::onBinary);
        socket.pongHandler(b -> lastHeardAt = now());
        socket.exceptionHandler(e -> LOG.debug("Agent {}: socket error", agentId, e));
        socket.closeHandler(v -> closed(socket));
        group.opened(this);
        AgentGroup.Settings hello = group.settings();
        // what still runs or waits to be sent: the server ends at once the commands it sent that are not among them
        java.util.Set<String> running = new java.util.LinkedHashSet<>(executor.runningIds());
        running.addAll(outbox.pendingResultIds());
        write(Messages.hello(Protocol.VERSION, agentId, hello.hostname() != null ? hello.hostname() : agentId, hello.os(),
                hello.arch(), hello.agentVersion(), hello.labels().isEmpty() ? null : hello.labels(), hello.capabilities(),
                running));
    }

    private void closed(WebSocket socket) {
        if (ws != socket) {
            return;
        }
        ws = null;
        nextCheckAt = Long.MAX_VALUE;
        group.closed(this);
        if (outbox.welcomed()) {
            group.welcomedDelta(-1);
        }
        outbox.detach();
        if (stopping) {
            return;
        }
        Short status = socket.closeStatusCode();
        int code = status == null ? 1006 : status;
        String reason = socket.closeReason() == null ? "" : " (" + socket.closeReason() + ")";
        switch (code) {
            case Protocol.CLOSE_REPLACED -> {
                LOG.warn("Agent {}: replaced by a newer connection with the same agent id; stopping{}", agentId, reason);
                stopForGood(StopReason.REPLACED);
            }
            case Protocol.CLOSE_TOKEN_REVOKED -> {
                LOG.error("Agent {}: the server revoked the token; stopping{}", agentId, reason);
                stopForGood(StopReason.TOKEN_REVOKED);
            }
            case Protocol.CLOSE_UNSUPPORTED_VERSION -> {
                LOG.error("Agent {}: the server does not speak protocol {}; stopping, upgrade the agent{}", agentId, Protocol.VERSION, reason);
                stopForGood(StopReason.UNSUPPORTED_VERSION);
            }
            case Protocol.CLOSE_POLICY, Protocol.CLOSE_TOO_BIG -> {
                LOG.error("Agent {}: closed by the server for a protocol violation, code {}{}", agentId, code, reason);
                reconnectLater(0, null);
            }
            case Protocol.CLOSE_RATE_LIMITED -> reconnectLater(RATE_LIMITED_MIN_DELAY_MS, "rate limited by the server" + reason);
            default -> reconnectLater(0, "connection closed, code " + code + reason);
        }
    }

    private void reconnectLater(long minDelayMs, String why) {
        if (stopping) {
            return;
        }
        urlIndex = (urlIndex + 1) % group.settings().urls().size();
        long delay = Math.max(1, Math.max(minDelayMs, Backoff.delay(attempt++)));
        if (why != null) {
            info("Agent {}: {}; reconnecting in {} ms", agentId, why, delay);
        }
        reconnectTimer = group.vertx().setTimer(delay, id -> {
            reconnectTimer = -1;
            connect();
        });
    }

    private void stopForGood(StopReason reason) {
        if (stopping) {
            return;
        }
        stopping = true;
        if (reconnectTimer >= 0) {
            group.vertx().cancelTimer(reconnectTimer);
        }
        executor.cancelAll();
        if (reason != StopReason.SHUTDOWN) {
            WebSocket socket = ws;
            if (socket != null) {
                socket.close(reason == StopReason.UNSUPPORTED_VERSION ? Protocol.CLOSE_UNSUPPORTED_VERSION : Protocol.CLOSE_GOING_AWAY);
            }
            stopped.tryComplete(reason);
        }
    }

    private void closeWhenIdle(long deadline, Promise<Void> done) {
        if (executor.running() > 0 && now() < deadline) {
            group.vertx().setTimer(50, id -> closeWhenIdle(deadline, done));
            return;
        }
        stopped.tryComplete(StopReason.SHUTDOWN);
        WebSocket socket = ws;
        if (socket == null) {
            done.tryComplete();
        } else {
            socket.close(Protocol.CLOSE_GOING_AWAY, "agent shutting down").onComplete(ar -> done.tryComplete());
        }
    }

    // ---- receiving

    private void onText(String text) {
        lastHeardAt = now();
        JsonNode message;
        try {
            message = Messages.parse(text);
        } catch (IOException e) {
            write(Messages.error(Protocol.ERR_MALFORMED, clip(e.getMessage()), null, null));
            return;
        }
        List<Violation> violations = ProtocolValidator.validate(message);
        String type = message.path("type").textValue();
        if (!violations.isEmpty()) {
            rejected(message, type, violations);
            return;
        }
        switch (type) {
            case Protocol.WELCOME -> onWelcome(message);
            case Protocol.COMMAND -> executor.start(message, outbox);
            case Protocol.CANCEL -> {
                String id = message.get("command_id").textValue();
                if (!executor.cancel(id)) {
                    write(Messages.error(Protocol.ERR_UNKNOWN_COMMAND, "no running command " + id, Protocol.CANCEL, id));
                }
            }
            case Protocol.ERROR -> {
                String id = message.path("command_id").textValue();
                if (!Protocol.ERR_UNKNOWN_COMMAND.equals(message.get("code").textValue())) { // a late result or cancel race: expected
                    LOG.warn("Agent {}: the server reported {}: {} (about {}{})", agentId, message.get("code").textValue(),
                            message.get("message").textValue(), message.path("ref_type").asText("?"), id == null ? "" : " " + id);
                }
            }
            default -> write(Messages.error(Protocol.ERR_INVALID, type + " is a message for servers, not agents", type, null));
        }
    }

    private void rejected(JsonNode message, String type, List<Violation> violations) {
        String detail = clip(violations.stream().map(v -> v.field() + ": " + v.message()).collect(Collectors.joining("; ")));
        String commandId = message.path("command_id").textValue();
        boolean usableId = commandId != null && !commandId.isEmpty() && commandId.length() <= 128;
        if (!ProtocolValidator.isKnownType(type)) {
            write(Messages.error(Protocol.ERR_UNKNOWN_TYPE, detail, type, null));
        } else if (Protocol.ERROR.equals(type)) {
            LOG.warn("Agent {}: the server sent an invalid error message: {}", agentId, detail);
        } else if (Protocol.COMMAND.equals(type) && usableId) {
            outbox.sendResult(Messages.result(commandId, Protocol.STATE_FAILED, null, 0, 0, false, clip("invalid command: " + detail)));
        } else {
            write(Messages.error(Protocol.ERR_INVALID, detail, type, usableId ? commandId : null));
        }
    }

    private void onBinary(Buffer frame) {
        lastHeardAt = now();
        write(Messages.error(Protocol.ERR_INVALID, "binary frames are not used in protocol " + Protocol.VERSION, null, null));
    }

    private void onWelcome(JsonNode welcome) {
        if (outbox.welcomed()) {
            LOG.warn("Agent {}: a second welcome on the same socket; ignored", agentId);
            return;
        }
        int protocol = welcome.get("protocol").asInt();
        if (protocol != Protocol.VERSION) {
            LOG.error("Agent {}: the server chose protocol {}, this agent speaks {}; stopping", agentId, protocol, Protocol.VERSION);
            stopForGood(StopReason.UNSUPPORTED_VERSION);
            return;
        }
        heartbeatIntervalMs = welcome.get("heartbeat_interval_ms").asLong();
        heartbeatTimeoutMs = welcome.get("heartbeat_timeout_ms").asLong();
        attempt = 0;
        outbox.welcome(welcome.get("max_frame_bytes").asLong());
        group.welcomedDelta(1);
        nextCheckAt = now() + heartbeatIntervalMs;
        info("Agent {}: connected to {} (session {}, node {})", agentId, group.settings().urls().get(urlIndex),
                welcome.get("session_id").textValue(), welcome.get("node_id").textValue());
    }

    // ---- heartbeats and liveness, driven by the group's ticker

    void tick(long now) {
        if (now >= nextCheckAt) {
            context.runOnContext(v -> check(now()));
        }
    }

    private void check(long now) {
        WebSocket socket = ws;
        if (socket == null || now < nextCheckAt) {
            return;
        }
        if (!outbox.welcomed()) {
            nextCheckAt = Long.MAX_VALUE;
            info("Agent {}: no welcome within {} ms; reconnecting", agentId, WELCOME_TIMEOUT_MS);
            socket.close((short) 1000, "no welcome");
        } else if (now - lastHeardAt >= heartbeatTimeoutMs) {
            nextCheckAt = Long.MAX_VALUE;
            info("Agent {}: nothing from the server for {} ms; reconnecting", agentId, now - lastHeardAt);
            socket.close(Protocol.CLOSE_HEARTBEAT_TIMEOUT, "server silent");
        } else {
            write(Messages.heartbeat(System.currentTimeMillis(), executor.running()));
            socket.writePing(Buffer.buffer());
            nextCheckAt = now + heartbeatIntervalMs;
        }
    }

    private void write(ObjectNode message) {
        outbox.write(message);
    }

    private void info(String format, Object... args) {
        if (group.settings().quiet()) {
            LOG.debug(format, args);
        } else {
            LOG.info(format, args);
        }
    }

    private static String clip(String text) {
        return text == null ? "" : text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }
}
