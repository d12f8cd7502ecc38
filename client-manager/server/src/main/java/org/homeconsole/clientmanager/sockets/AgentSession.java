package org.homeconsole.clientmanager.sockets;

import io.vertx.core.http.ServerWebSocket;

/**
 * One agent socket: which agent its token named, its protocol state, its last heartbeat and its message
 * budget. Touched on the socket's event loop, read by the heartbeat sweep.
 */
final class AgentSession {

    enum State { AWAITING_HELLO, ONLINE, CLOSED }

    final String id;
    final String agentId;
    final ServerWebSocket socket;
    final String remoteAddress;
    volatile State state = State.AWAITING_HELLO;
    volatile long lastHeartbeatMillis;
    /** Why the session ended, when the node ended it (reported in client.disconnected). */
    volatile String closeReason;
    /** What the registry holds for this session, once hello registered it. */
    volatile org.homeconsole.clientmanager.registry.ClientInfo info;
    int errorsInARow;
    private double tokens;
    private long refilledNanos;
    private final double ratePerNano;
    private final double burst;

    AgentSession(String id, String agentId, ServerWebSocket socket, int messagesPerSecond) {
        this.id = id;
        this.agentId = agentId;
        this.socket = socket;
        this.remoteAddress = socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().toString();
        this.ratePerNano = messagesPerSecond / 1e9;
        this.burst = 2.0 * messagesPerSecond;
        this.tokens = burst;
        this.refilledNanos = System.nanoTime();
        this.lastHeartbeatMillis = System.currentTimeMillis();
    }

    /** Token bucket: {@code messagesPerSecond} sustained, twice that in a burst. */
    boolean takeMessageBudget() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - refilledNanos) * ratePerNano);
        refilledNanos = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
