package org.homeconsole.agent;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.homeconsole.clientmanager.protocol.Messages;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.homeconsole.clientmanager.protocol.ProtocolValidator;

/**
 * A minimal client-manager stand-in for the agent's tests (not the product server): checks the bearer token on
 * the upgrade (401 otherwise), welcomes every hello, validates every message against the schemas and records
 * what arrived, including each command's output reassembled in seq order.
 */
final class FixtureServer implements AutoCloseable {

    final Vertx vertx = Vertx.vertx();
    final Map<String, String> agentByToken = new ConcurrentHashMap<>();
    final List<Session> sessions = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final Map<String, CommandLog> commands = new ConcurrentHashMap<>();
    final AtomicInteger refused = new AtomicInteger();
    volatile long heartbeatIntervalMs = 30_000;
    volatile long heartbeatTimeoutMs = 90_000;
    /** When not 0, every upgrade is refused with this HTTP status (a node that is down or draining). */
    volatile int rejectStatus;
    private final HttpServer server;

    FixtureServer(Map<String, String> tokens) throws Exception {
        tokens.forEach((agent, token) -> agentByToken.put(token, agent));
        server = vertx.createHttpServer(new HttpServerOptions().setMaxWebSocketFrameSize(Protocol.DEFAULT_MAX_FRAME_BYTES))
                .webSocketHandler(this::onSocket);
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    URI url() {
        return URI.create("ws://127.0.0.1:" + server.actualPort() + "/ws");
    }

    /** The {@code index}-th session (0-based) of an agent, waiting for it to say hello. */
    Session session(String agentId, int index) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> sessionsOf(agentId), l -> l.size() > index).get(index);
    }

    List<Session> sessionsOf(String agentId) {
        return sessions.stream().filter(s -> agentId.equals(s.agentId) && s.hello != null).toList();
    }

    CommandLog command(String commandId) {
        return commands.computeIfAbsent(commandId, id -> new CommandLog());
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void onSocket(ServerWebSocket ws) {
        String authorization = ws.headers().get(Protocol.AUTHORIZATION);
        String agent = authorization != null && authorization.startsWith("Bearer ") ? agentByToken.get(authorization.substring(7)) : null;
        if (agent == null || rejectStatus != 0) {
            refused.incrementAndGet();
            ws.reject(agent == null ? 401 : rejectStatus);
            return;
        }
        Session session = new Session(ws, agent, authorization);
        sessions.add(session);
        ws.textMessageHandler(session::onText);
        ws.closeHandler(v -> session.closeCode = ws.closeStatusCode());
    }

    /** One agent socket as the fixture sees it. */
    final class Session {
        final ServerWebSocket ws;
        final String agentId;
        final String authorization;
        final List<JsonNode> received = new CopyOnWriteArrayList<>();
        volatile JsonNode hello;
        volatile Short closeCode;

        Session(ServerWebSocket ws, String agentId, String authorization) {
            this.ws = ws;
            this.agentId = agentId;
            this.authorization = authorization;
        }

        void send(ObjectNode message) {
            ws.writeTextMessage(Messages.toJson(message));
        }

        void sendText(String text) {
            ws.writeTextMessage(text);
        }

        void close(short code) {
            ws.close(code, "fixture");
        }

        List<JsonNode> ofType(String type) {
            return received.stream().filter(m -> type.equals(m.path("type").asText())).toList();
        }

        private void onText(String text) {
            JsonNode message;
            try {
                message = Messages.parse(text);
            } catch (IOException e) {
                problems.add("malformed: " + text);
                return;
            }
            ProtocolValidator.validate(message).forEach(v -> problems.add(message.path("type").asText() + "." + v.field() + ": " + v.message()));
            received.add(message);
            String type = message.path("type").asText();
            if (received.size() == 1 && !Protocol.HELLO.equals(type)) {
                problems.add("first message was " + type);
            }
            switch (type) {
                case Protocol.HELLO -> {
                    hello = message;
                    send(Messages.welcome(Protocol.VERSION, "s-" + sessions.indexOf(this), "fixture", heartbeatIntervalMs,
                            heartbeatTimeoutMs, Protocol.DEFAULT_MAX_FRAME_BYTES, Protocol.DEFAULT_MESSAGES_PER_SECOND));
                }
                case Protocol.OUTPUT -> command(message.get("command_id").asText()).output(message);
                case Protocol.RESULT -> command(message.get("command_id").asText()).result(message);
                default -> {
                }
            }
        }
    }

    /** Output and result of one command, checked for order: seq 0, 1, 2 ... then exactly one result. */
    final class CommandLog {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        volatile long chunks;
        volatile JsonNode result;

        synchronized void output(JsonNode chunk) {
            if (result != null) {
                problems.add("output after result: " + chunk);
            }
            if (chunk.get("seq").asLong() != chunks) {
                problems.add("expected seq " + chunks + ", got " + chunk);
            }
            chunks++;
            byte[] data = Messages.data(chunk);
            if (data.length > Protocol.MAX_CHUNK_BYTES) {
                problems.add("chunk of " + data.length + " bytes");
            }
            (Protocol.STDOUT.equals(chunk.get("stream").asText()) ? stdout : stderr).writeBytes(data);
        }

        synchronized void result(JsonNode message) {
            if (result != null) {
                problems.add("second result: " + message);
            }
            result = message;
        }

        String stdoutText() {
            synchronized (this) {
                return stdout.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
        }
    }
}
