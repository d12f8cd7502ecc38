package org.homeconsole.clientmanager.sockets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.clientmanager.Audit;
import org.homeconsole.clientmanager.ClientManagerConfig;
import org.homeconsole.clientmanager.jobs.CommandRun;
import org.homeconsole.clientmanager.jobs.Job;
import org.homeconsole.clientmanager.jobs.JobManager;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint ({@code /admin/ws}), for operators' consoles: authenticated with the admin API key;
 * a client subscribes to client presence ({@code clients}), to job lifecycle ({@code jobs}) or to one
 * job's live output and progress ({@code job_id}). Messages are described in docs/client-manager.md.
 *
 * <p>A slow reader never makes the node buffer without bound: each socket's write queue is capped; while
 * it is full, messages for that socket are dropped and counted, the count is sent as a {@code dropped}
 * notice once the queue drains, and a socket that stays full for {@value #STUCK_MS} ms is closed (1013).
 *
 * <p>Bus events reach the stream through subscriptions held only while a socket needs them
 * ({@link OnDemandSubscriptions}): {@code client.*} while some socket subscribed to {@code clients};
 * {@code job.*} and {@code command.*} while some socket subscribed to {@code jobs} or watches a job id.
 * Without such a socket the node does not handle those events at all. The {@code subscribed}
 * acknowledgement is sent once the bus delivers, so everything published after it reaches the socket.
 */
public final class AdminStream implements JobManager.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(AdminStream.class);
    static final int WRITE_QUEUE_BYTES = 256 * 1024;
    static final long STUCK_MS = 30_000;

    private final ClientManagerConfig config;
    private final Predicate<String> adminAuthorization;
    private final Audit audit;
    private final ObjectMapper mapper;
    private final Set<AdminSession> sessions = ConcurrentHashMap.newKeySet();
    private final OnDemandSubscriptions feeds;
    private Route route;

    /** Bus patterns a socket needs for each of its topics, and for watching job ids. */
    private static final Map<String, List<String>> TOPIC_PATTERNS = Map.of(
            "clients", List.of("client.*"),
            "jobs", List.of("job.*", "command.*"));
    private static final List<String> JOB_WATCH_PATTERNS = List.of("job.*", "command.*");

    /** One admin socket and what it subscribed to. */
    static final class AdminSession {
        final ServerWebSocket socket;
        final Set<String> topics = ConcurrentHashMap.newKeySet();
        final Set<String> jobs = ConcurrentHashMap.newKeySet();
        final AgentSession.Budget budget;
        /** The bus patterns this socket holds in {@link #feeds}; guarded by the session's monitor. */
        final Set<String> held = new HashSet<>();
        /** Set once the socket closed: it holds nothing any more. Guarded by the session's monitor. */
        boolean gone;
        long dropped;
        long fullSince;
        int errorsInARow;

        AdminSession(ServerWebSocket socket, int messagesPerSecond) {
            this.socket = socket;
            this.budget = new AgentSession.Budget(messagesPerSecond);
        }
    }

    /** @param events the bus the stream subscribes to, only while a socket needs its events */
    public AdminStream(ClientManagerConfig config, Predicate<String> adminAuthorization, Audit audit, ObjectMapper mapper,
                       EventBus events) {
        this.config = config;
        this.adminAuthorization = adminAuthorization;
        this.audit = audit;
        this.mapper = mapper;
        this.feeds = new OnDemandSubscriptions(events, "admin-stream-", this::onEvent);
    }

    public synchronized void mount(Router router) {
        route = router.route(config.adminPath()).handler(this::upgrade);
    }

    public synchronized void unmount() {
        if (route != null) {
            route.remove();
            route = null;
        }
        for (AdminSession session : new ArrayList<>(sessions)) {
            session.socket.close(Protocol.CLOSE_GOING_AWAY, "client manager stopping");
        }
        sessions.clear();
        feeds.close();
    }

    public int connectedCount() {
        return sessions.size();
    }

    private void upgrade(RoutingContext ctx) {
        if (!adminAuthorization.test(ctx.request().getHeader("Authorization"))) {
            String remote = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().toString();
            audit.record("admin.auth_refused", null, Map.of("remote_address", remote, "endpoint", config.adminPath()));
            ctx.response().setStatusCode(401).putHeader("Content-Type", "application/problem+json")
                    .end("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                            + "\"detail\":\"send the admin API key as 'Authorization: Bearer <key>'\"}");
            return;
        }
        ctx.request().toWebSocket().onSuccess(socket -> {
            AdminSession session = new AdminSession(socket, config.messagesPerSecond());
            socket.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
            socket.drainHandler(v -> drained(session));
            socket.textMessageHandler(text -> onText(session, text));
            socket.binaryMessageHandler(b -> error(session, "invalid_message", "binary frames are not accepted"));
            socket.closeHandler(v -> closed(session));
            socket.exceptionHandler(e -> LOG.debug("Admin socket error: {}", e.toString()));
            sessions.add(session);
        });
    }

    private void onText(AdminSession session, String text) {
        if (!session.budget.take()) {
            error(session, Protocol.ERR_RATE_LIMITED, "more than " + config.messagesPerSecond() + " messages per second");
            session.socket.close(Protocol.CLOSE_RATE_LIMITED, "message rate limit exceeded");
            return;
        }
        if (text.length() > config.maxFrameBytes()) {
            session.socket.close(Protocol.CLOSE_TOO_BIG, "message exceeds " + config.maxFrameBytes() + " characters");
            return;
        }
        JsonNode message;
        try {
            message = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            error(session, Protocol.ERR_MALFORMED, "not JSON: " + e.getOriginalMessage());
            return;
        }
        if (message == null || !message.isObject() || !message.path("type").isTextual()) {
            error(session, Protocol.ERR_INVALID, "type: a message is a JSON object with a string 'type'");
            return;
        }
        String type = message.get("type").asText();
        switch (type) {
            case "subscribe", "unsubscribe" -> subscription(session, message, "subscribe".equals(type));
            case "ping" -> write(session, mapper.createObjectNode().put("type", "pong"), true);
            default -> error(session, Protocol.ERR_UNKNOWN_TYPE,
                    "type: unknown '" + type + "'; known: subscribe, unsubscribe, ping");
        }
    }

    private void subscription(AdminSession session, JsonNode message, boolean subscribe) {
        JsonNode topic = message.get("topic");
        JsonNode jobId = message.get("job_id");
        if ((topic == null) == (jobId == null)) {
            error(session, Protocol.ERR_INVALID, "topic: give exactly one of 'topic' (clients, jobs) or 'job_id'");
            return;
        }
        if (topic != null) {
            if (!topic.isTextual() || !Set.of("clients", "jobs").contains(topic.asText())) {
                error(session, Protocol.ERR_INVALID, "topic: must be 'clients' or 'jobs'");
                return;
            }
            if (subscribe) {
                session.topics.add(topic.asText());
            } else {
                session.topics.remove(topic.asText());
            }
            holdWhatItNeeds(session);
        } else {
            if (!jobId.isTextual() || jobId.asText().isEmpty() || jobId.asText().length() > 100) {
                error(session, Protocol.ERR_INVALID, "job_id: must be a job id string");
                return;
            }
            if (subscribe) {
                session.jobs.add(jobId.asText());
            } else {
                session.jobs.remove(jobId.asText());
            }
            holdWhatItNeeds(session);
        }
        session.errorsInARow = 0;
        ObjectNode ack = mapper.createObjectNode().put("type", subscribe ? "subscribed" : "unsubscribed");
        if (topic != null) {
            ack.put("topic", topic.asText());
        } else {
            ack.put("job_id", jobId.asText());
        }
        write(session, ack, true);
    }

    /**
     * Brings the bus patterns a socket holds in line with what it subscribed to: needs the new ones first
     * (the caller acknowledges afterwards, when they flow), then lets go of those it no longer needs.
     */
    private void holdWhatItNeeds(AdminSession session) {
        synchronized (session) {
            Set<String> wanted = new HashSet<>();
            if (!session.gone) {
                session.topics.forEach(t -> wanted.addAll(TOPIC_PATTERNS.getOrDefault(t, List.of())));
                if (!session.jobs.isEmpty()) {
                    wanted.addAll(JOB_WATCH_PATTERNS);
                }
            }
            for (String pattern : wanted) {
                if (session.held.add(pattern)) {
                    feeds.need(pattern);
                }
            }
            for (var it = session.held.iterator(); it.hasNext(); ) {
                String pattern = it.next();
                if (!wanted.contains(pattern)) {
                    it.remove();
                    feeds.release(pattern);
                }
            }
        }
    }

    private void closed(AdminSession session) {
        sessions.remove(session);
        synchronized (session) {
            session.gone = true;
        }
        holdWhatItNeeds(session);
    }

    /** Whether the stream is subscribed to a bus pattern now (for tests and diagnostics). */
    boolean subscribedTo(String pattern) {
        return feeds.subscribed(pattern);
    }

    /** An event from the bus ({@code client.*}, {@code job.*}, {@code command.*}), from any node. */
    public void onEvent(Event event) {
        String topic = event.type().startsWith("client.") ? "clients" : "jobs";
        ObjectNode message = null;
        for (AdminSession session : sessions) {
            boolean jobWatcher = !"clients".equals(topic) && event.key() != null && session.jobs.contains(event.key());
            if (session.topics.contains(topic) || jobWatcher) {
                if (message == null) {
                    message = mapper.createObjectNode().put("type", "event").put("event_type", event.type())
                            .put("event_id", event.id()).put("key", event.key());
                    message.set("data", event.data());
                }
                write(session, message, false);
            }
        }
    }

    @Override
    public void output(Job job, CommandRun run, String stream, int seq, byte[] data) {
        ObjectNode message = null;
        for (AdminSession session : sessions) {
            if (session.jobs.contains(job.id())) {
                if (message == null) {
                    message = mapper.createObjectNode().put("type", "output").put("job_id", job.id())
                            .put("agent_id", run.agentId()).put("stream", stream).put("seq", seq)
                            .put("data", Base64.getEncoder().encodeToString(data));
                }
                write(session, message, false);
            }
        }
    }

    @Override
    public void runEnded(Job job, CommandRun run) {
        ObjectNode message = null;
        for (AdminSession session : sessions) {
            if (session.jobs.contains(job.id())) {
                if (message == null) {
                    CommandRun.Snapshot s = run.snapshot();
                    message = mapper.createObjectNode().put("type", "progress").put("job_id", job.id())
                            .put("agent_id", s.agentId()).put("state", s.state()).put("duration_ms", s.durationMs());
                    if (s.exitCode() != null) {
                        message.put("exit_code", s.exitCode());
                    }
                }
                write(session, message, false);
            }
        }
    }

    @Override
    public void jobEnded(Job job, ObjectNode json) {
        ObjectNode message = null;
        for (AdminSession session : sessions) {
            if (session.jobs.remove(job.id())) {
                if (message == null) {
                    message = mapper.createObjectNode().put("type", "job_completed");
                    message.set("job", json);
                }
                write(session, message, false);
                holdWhatItNeeds(session);
            }
        }
    }

    private void error(AdminSession session, String code, String text) {
        write(session, mapper.createObjectNode().put("type", "error").put("code", code).put("message", text), true);
        if (++session.errorsInARow > 20) {
            session.socket.close(Protocol.CLOSE_RATE_LIMITED, "too many bad messages in a row");
        }
    }

    /** Writes unless the socket's queue is full: then counts the message as dropped. */
    private void write(AdminSession session, ObjectNode message, boolean control) {
        ServerWebSocket socket = session.socket;
        if (socket.isClosed()) {
            return;
        }
        synchronized (session) {
            if (socket.writeQueueFull()) {
                long now = System.currentTimeMillis();
                if (session.fullSince == 0) {
                    session.fullSince = now;
                } else if (now - session.fullSince > STUCK_MS) {
                    socket.close((short) 1013, "reader too slow: nothing drained for " + STUCK_MS + " ms");
                    return;
                }
                session.dropped++;
                return;
            }
            session.fullSince = 0;
        }
        try {
            socket.writeTextMessage(mapper.writeValueAsString(message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void drained(AdminSession session) {
        long dropped;
        synchronized (session) {
            dropped = session.dropped;
            session.dropped = 0;
            session.fullSince = 0;
        }
        if (dropped > 0) {
            write(session, mapper.createObjectNode().put("type", "dropped").put("count", dropped)
                    .put("message", dropped + " messages were dropped because this socket read too slowly; "
                            + "re-read state through REST"), true);
        }
    }
}
