package org.homeconsole.clientmanager;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare WebSocket client (the JDK's) for protocol tests: sends whatever it is told, records what comes
 * back and how the socket closed. Not an agent: tests use it to speak wrong on purpose.
 */
final class RawSocket implements WebSocket.Listener {

    final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;
    /** While paused the client reads nothing: the server's writes back up in TCP and its own queue. */
    volatile boolean paused;

    static RawSocket connect(String url, String bearer) {
        RawSocket listener = new RawSocket();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        listener.socket = builder.buildAsync(URI.create(url), listener).join();
        return listener;
    }

    RawSocket send(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    JsonNode next() throws InterruptedException {
        JsonNode message = received.poll(20, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("no message within 20 s; closed: " + closedWith.getNow(null));
        }
        return message;
    }

    /** The next message of a type, skipping others. */
    JsonNode next(String type) throws InterruptedException {
        while (true) {
            JsonNode message = next();
            if (type.equals(message.path("type").asText())) {
                return message;
            }
        }
    }

    void resume() {
        paused = false;
        socket.request(1);
    }

    int awaitClose() throws Exception {
        return closedWith.get(30, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                received.add(ClientManagerNode.JSON.readTree(partial.toString()));
            } catch (Exception e) {
                received.add(ClientManagerNode.JSON.createObjectNode().put("type", "unparseable").put("text", partial.toString()));
            }
            partial.setLength(0);
        }
        if (!paused) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closedWith.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closedWith.complete(-1);
    }
}
