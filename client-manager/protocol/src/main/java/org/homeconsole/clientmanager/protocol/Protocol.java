package org.homeconsole.clientmanager.protocol;

/**
 * The agent protocol, version {@value #VERSION}: names shared by the client manager and every agent.
 * The full description, with examples, is {@code docs/agent-protocol.md}; each message type has a JSON
 * Schema in {@code schemas/agent/<type>.schema.json}.
 *
 * <p>Transport: one WebSocket per agent. Text frames carry one JSON object each, with a {@code type}
 * field. Binary frames are reserved for file chunks and terminal streams (not used in version 1).
 * The agent authenticates during the HTTP upgrade with {@code Authorization: Bearer <agent token>};
 * an unknown token is refused with HTTP 401 before any WebSocket exists.
 */
public final class Protocol {

    /** The protocol version this code speaks. An agent announces it in {@code hello.protocol}. */
    public static final int VERSION = 1;

    /** Header that carries the agent's token on the upgrade request ({@code Bearer <token>}). */
    public static final String AUTHORIZATION = "Authorization";

    // ---- message types: agent → server
    /** First message on a new socket: who the agent is. Anything else first is a protocol error. */
    public static final String HELLO = "hello";
    /** Liveness; sent every {@code welcome.heartbeat_interval_ms}. */
    public static final String HEARTBEAT = "heartbeat";
    /** A chunk of a running command's stdout or stderr, base64 in {@code data}, in {@code seq} order. */
    public static final String OUTPUT = "output";
    /** A command ended: exit code, duration and final state. */
    public static final String RESULT = "result";

    // ---- message types: server → agent
    /** Answer to {@code hello}: the session is registered. */
    public static final String WELCOME = "welcome";
    /** Run a command. */
    public static final String COMMAND = "command";
    /** Stop a running command. */
    public static final String CANCEL = "cancel";

    // ---- both directions
    /** Something the other side sent was wrong; the socket stays open unless a close follows. */
    public static final String ERROR = "error";

    // ---- command end states (result.state)
    public static final String STATE_SUCCEEDED = "succeeded";
    public static final String STATE_FAILED = "failed";
    public static final String STATE_TIMED_OUT = "timed_out";
    public static final String STATE_CANCELLED = "cancelled";

    // ---- output streams
    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";

    // ---- error codes (error.code)
    public static final String ERR_MALFORMED = "malformed_json";
    public static final String ERR_UNKNOWN_TYPE = "unknown_type";
    public static final String ERR_INVALID = "invalid_message";
    public static final String ERR_UNKNOWN_COMMAND = "unknown_command";
    public static final String ERR_RATE_LIMITED = "rate_limited";

    // ---- close codes (RFC 6455 §7.4; 4000–4999 are ours)
    /** Policy violation: anything but a valid hello first, hello for another agent id than the token's, or hello twice. */
    public static final short CLOSE_POLICY = 1008;
    /** A text frame that is not valid UTF-8 (RFC 6455 §8.1). */
    public static final short CLOSE_INVALID_DATA = 1007;
    /** A frame or message larger than the server accepts. */
    public static final short CLOSE_TOO_BIG = 1009;
    /** A newer connection with the same agent id replaced this one. */
    public static final short CLOSE_REPLACED = 4000;
    /** No heartbeat within the window: the agent was marked offline. */
    public static final short CLOSE_HEARTBEAT_TIMEOUT = 4001;
    /** No valid hello within the deadline after connecting. */
    public static final short CLOSE_HELLO_TIMEOUT = 4002;
    /** The agent speaks a protocol version the server does not. */
    public static final short CLOSE_UNSUPPORTED_VERSION = 4003;
    /** Disconnected by an operator ({@code DELETE /clients/{id}}). */
    public static final short CLOSE_DISCONNECTED = 4004;
    /** Too many messages too fast, or too many errors in a row. */
    public static final short CLOSE_RATE_LIMITED = 4008;
    /** The agent's token was revoked. */
    public static final short CLOSE_TOKEN_REVOKED = 4010;

    // ---- limits and capabilities (added with docs/agent-protocol.md)
    /** Capability (in {@code hello.capabilities}) of an agent that runs {@code command} messages. */
    public static final String CAP_EXEC = "exec";
    /** Most raw bytes one {@code output} chunk carries (43,692 base64 characters). */
    public static final int MAX_CHUNK_BYTES = 32 * 1024;
    /**
     * Longest an agent may hold output bytes it has read before sending them, to fill a chunk (the reference
     * agent waits {@value} ms at most after the first byte of a chunk; a full chunk goes at once).
     */
    public static final int MAX_OUTPUT_HOLD_MS = 50;
    /** Default of {@code welcome.max_messages_per_second}: the message rate a server takes from one agent. */
    public static final int DEFAULT_MESSAGES_PER_SECOND = 2_000;
    /** Default of {@code welcome.max_frame_bytes}: the largest text frame a server accepts. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
    /** Close code an agent uses when it shuts down (RFC 6455 "going away"); servers treat it as an orderly end. */
    public static final short CLOSE_GOING_AWAY = 1001;
    /**
     * Reserved for later versions: a binary frame is {@value} bytes of header (1 byte kind, 16 bytes stream id,
     * e.g. a transfer or terminal UUID) followed by the payload. Not sent in version 1.
     */
    public static final int BINARY_HEADER_BYTES = 17;

    private Protocol() {
    }
}
