package org.homeconsole.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.http.WebSocket;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import org.homeconsole.clientmanager.protocol.Messages;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of one agent connection, as its commands see it: output goes out in call order and blocks the
 * calling command thread while the socket's write queue is full (so the process blocks on its pipe instead of the
 * agent buffering); results wait for the next welcome when no session is open; everything else is dropped
 * without a session.
 *
 * <p>{@link #attach}, {@link #welcome}, {@link #detach} and {@link #write} run on the connection's context; the
 * {@link CommandSink} methods may be called from any thread. Results hop onto the context, and Vert.x queues a
 * write from another thread on the same event loop, so a command's last output is always written before its result.
 */
final class Outbox implements CommandSink {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final int MAX_PENDING_RESULTS = 1_000;

    private final Context context;
    private final String agentId;
    private volatile WebSocket ws;
    private volatile boolean welcomed;
    private volatile int maxChunkBytes = Protocol.MAX_CHUNK_BYTES;
    private ArrayDeque<ObjectNode> pendingResults; // on the context only; created on first need
    /** Ids of results given to sendResult and not written yet; added on the caller's thread, before the command leaves its table. */
    private final java.util.Set<String> unsentResults = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Outbox(Context context, String agentId) {
        this.context = context;
        this.agentId = agentId;
    }

    void attach(WebSocket socket) {
        ws = socket;
        welcomed = false;
        socket.drainHandler(v -> wake());
    }

    /** The session began: sizes chunks for the server's frame limit and sends the results that waited. */
    void welcome(long maxFrameBytes) {
        maxChunkBytes = (int) Math.min(Protocol.MAX_CHUNK_BYTES, Math.max(256, (maxFrameBytes - 1024) / 4 * 3));
        welcomed = true;
        while (pendingResults != null && !pendingResults.isEmpty()) {
            ObjectNode result = pendingResults.poll();
            write(result);
            unsentResults.remove(result.get("command_id").textValue());
        }
    }

    /** The commands whose results are not written yet: waiting for a session, or on their way to the context. */
    java.util.List<String> pendingResultIds() {
        return java.util.List.copyOf(unsentResults);
    }

    void detach() {
        ws = null;
        welcomed = false;
        wake();
    }

    boolean welcomed() {
        return welcomed;
    }

    /** Writes now if a socket is open (on the context). */
    void write(ObjectNode message) {
        WebSocket socket = ws;
        if (socket != null) {
            socket.writeTextMessage(Messages.toJson(message));
        }
    }

    @Override
    public void send(ObjectNode message) {
        context.runOnContext(v -> write(message));
    }

    @Override
    public void sendResult(ObjectNode result) {
        String id = result.get("command_id").textValue();
        unsentResults.add(id);
        context.runOnContext(v -> {
            if (welcomed) {
                write(result);
                unsentResults.remove(id);
                return;
            }
            if (pendingResults == null) {
                pendingResults = new ArrayDeque<>();
            }
            if (pendingResults.size() >= MAX_PENDING_RESULTS) {
                LOG.warn("Agent {}: too many results waiting for a connection; dropping the oldest", agentId);
                unsentResults.remove(pendingResults.poll().get("command_id").textValue());
            }
            pendingResults.add(result);
        });
    }

    @Override
    public boolean sendOutput(ObjectNode output, BooleanSupplier abandon) {
        WebSocket socket = ws;
        if (socket == null || !welcomed) {
            return false;
        }
        try {
            synchronized (this) {
                while (socket.writeQueueFull() && ws == socket && !abandon.getAsBoolean()) {
                    wait(100);
                }
            }
            if (ws != socket || abandon.getAsBoolean()) {
                return false;
            }
            socket.writeTextMessage(Messages.toJson(output));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IllegalStateException closed) {
            return false;
        }
    }

    @Override
    public int maxChunkBytes() {
        return maxChunkBytes;
    }

    private synchronized void wake() {
        notifyAll();
    }
}
