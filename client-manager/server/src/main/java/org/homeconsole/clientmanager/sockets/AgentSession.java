package org.homeconsole.clientmanager.sockets;

import io.vertx.core.http.ServerWebSocket;

/**
 * One agent socket: which agent its token named, its protocol state, its last heartbeat and its message
 * budgets. Touched on the socket's event loop, read by the heartbeat sweep.
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
    /** Whether the agent's hello announced {@code exec}: only then is it sent commands. */
    volatile boolean exec;
    int errorsInARow;
    /** Output and results of commands: never refused, the socket is read more slowly instead. */
    final Budget commandTraffic;
    /** Every other message: beyond the rate, refused and the socket closed (4008). */
    final Budget otherTraffic;
    /** The socket is paused until the command traffic is back within its rate. */
    boolean held;

    AgentSession(String id, String agentId, ServerWebSocket socket, int messagesPerSecond) {
        this.id = id;
        this.agentId = agentId;
        this.socket = socket;
        this.remoteAddress = socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().toString();
        this.commandTraffic = new Budget(messagesPerSecond);
        this.otherTraffic = new Budget(messagesPerSecond);
        this.lastHeartbeatMillis = System.currentTimeMillis();
    }

    /** A token bucket: {@code perSecond} sustained, twice that in a burst. */
    static final class Budget {
        private final double perMilli;
        private final double burst;
        private double tokens;
        private long refilledNanos = System.nanoTime();

        Budget(int perSecond) {
            this.perMilli = perSecond / 1000.0;
            this.burst = 2.0 * perSecond;
            this.tokens = burst;
        }

        /** Takes one message's worth; {@code false} when there is none left. */
        boolean take() {
            refill();
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }

        /**
         * Takes one message's worth even when there is none left. Returns 0 while within the rate, else how
         * many milliseconds the sender should be held back for the budget to be a tenth of a second ahead again.
         */
        long takeOrOwe() {
            refill();
            tokens -= 1;
            if (tokens >= 0) {
                return 0;
            }
            return (long) Math.ceil((-tokens + perMilli * 100) / perMilli);
        }

        private void refill() {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilledNanos) / 1e6 * perMilli);
            refilledNanos = now;
        }
    }
}
