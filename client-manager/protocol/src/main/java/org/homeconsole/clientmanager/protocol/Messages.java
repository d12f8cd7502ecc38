package org.homeconsole.clientmanager.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Builds the messages of the agent protocol, one static method per type, so that the agent and the client
 * manager write the same field names. Optional fields are left out when passed {@code null}. The builders do
 * not validate; {@link ProtocolValidator} does.
 */
public final class Messages {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Messages() {
    }

    /** The mapper used for protocol messages; shared and thread-safe, do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Serialises a message to the text of one WebSocket frame. */
    public static String toJson(JsonNode message) {
        try {
            return MAPPER.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses the text of one frame; throws {@link IOException} for malformed JSON (answer {@link Protocol#ERR_MALFORMED}). */
    public static JsonNode parse(String text) throws IOException {
        return MAPPER.readTree(text);
    }

    /** The agent's first message; {@code arch}, {@code labels} and {@code capabilities} may be null. */
    public static ObjectNode hello(int protocol, String agentId, String hostname, String os, String arch,
            String agentVersion, Map<String, String> labels, Collection<String> capabilities) {
        ObjectNode m = message(Protocol.HELLO);
        m.put("protocol", protocol).put("agent_id", agentId).put("hostname", hostname).put("os", os);
        putIfNotNull(m, "arch", arch);
        m.put("agent_version", agentVersion);
        if (labels != null) {
            labels.forEach(m.putObject("labels")::put);
        }
        if (capabilities != null) {
            ArrayNode caps = m.putArray("capabilities");
            capabilities.forEach(caps::add);
        }
        return m;
    }

    /**
     * The agent's first message with {@code running}: the ids of the commands it still runs or holds a result
     * for, so that the server ends at once, as lost, the commands it sent that the agent no longer has.
     */
    public static ObjectNode hello(int protocol, String agentId, String hostname, String os, String arch,
            String agentVersion, Map<String, String> labels, Collection<String> capabilities, Collection<String> running) {
        ObjectNode m = hello(protocol, agentId, hostname, os, arch, agentVersion, labels, capabilities);
        ArrayNode ids = m.putArray("running");
        running.forEach(ids::add);
        return m;
    }

    /** A heartbeat; {@code ts} (epoch millis) and {@code running} are optional. */
    public static ObjectNode heartbeat(Long ts, Integer running) {
        ObjectNode m = message(Protocol.HEARTBEAT);
        if (ts != null) {
            m.put("ts", ts);
        }
        if (running != null) {
            m.put("running", running);
        }
        return m;
    }

    /** One output chunk: {@code len} bytes of {@code data} from {@code off}, base64-encoded. */
    public static ObjectNode output(String commandId, String stream, long seq, byte[] data, int off, int len) {
        ByteBuffer encoded = Base64.getEncoder().encode(ByteBuffer.wrap(data, off, len));
        return message(Protocol.OUTPUT).put("command_id", commandId).put("stream", stream).put("seq", seq)
                .put("data", new String(encoded.array(), 0, encoded.limit(), StandardCharsets.ISO_8859_1));
    }

    /** The raw bytes of an output message's {@code data}. */
    public static byte[] data(JsonNode output) {
        return Base64.getDecoder().decode(output.path("data").asText(""));
    }

    /** A command's result; {@code exitCode} and {@code error} may be null. */
    public static ObjectNode result(String commandId, String state, Integer exitCode, long durationMs, long outputBytes,
            boolean truncated, String error) {
        ObjectNode m = message(Protocol.RESULT).put("command_id", commandId).put("state", state);
        if (exitCode == null) {
            m.putNull("exit_code");
        } else {
            m.put("exit_code", exitCode);
        }
        m.put("duration_ms", durationMs).put("output_bytes", outputBytes).put("truncated", truncated);
        putIfNotNull(m, "error", error);
        return m;
    }

    /** The server's answer to hello. */
    public static ObjectNode welcome(int protocol, String sessionId, String nodeId, long heartbeatIntervalMs,
            long heartbeatTimeoutMs, int maxFrameBytes, int maxMessagesPerSecond) {
        return message(Protocol.WELCOME).put("protocol", protocol).put("session_id", sessionId).put("node_id", nodeId)
                .put("heartbeat_interval_ms", heartbeatIntervalMs).put("heartbeat_timeout_ms", heartbeatTimeoutMs)
                .put("max_frame_bytes", maxFrameBytes).put("max_messages_per_second", maxMessagesPerSecond);
    }

    /**
     * A command; exactly one of {@code argv} and {@code shell} must be given. {@code env} and {@code cwd} may be null.
     *
     * @throws IllegalArgumentException when both or neither of argv and shell are given
     */
    public static ObjectNode command(String commandId, List<String> argv, String shell, long timeoutMs,
            long maxOutputBytes, Map<String, String> env, String cwd) {
        if ((argv == null) == (shell == null)) {
            throw new IllegalArgumentException("a command has exactly one of argv and shell");
        }
        ObjectNode m = message(Protocol.COMMAND).put("command_id", commandId);
        if (argv != null) {
            ArrayNode array = m.putArray("argv");
            argv.forEach(array::add);
        } else {
            m.put("shell", shell);
        }
        m.put("timeout_ms", timeoutMs).put("max_output_bytes", maxOutputBytes);
        if (env != null) {
            env.forEach(m.putObject("env")::put);
        }
        putIfNotNull(m, "cwd", cwd);
        return m;
    }

    /** Asks the agent to stop a running command. */
    public static ObjectNode cancel(String commandId) {
        return message(Protocol.CANCEL).put("command_id", commandId);
    }

    /** An error; {@code refType} and {@code commandId} may be null. */
    public static ObjectNode error(String code, String message, String refType, String commandId) {
        ObjectNode m = message(Protocol.ERROR).put("code", code).put("message", message);
        putIfNotNull(m, "ref_type", refType);
        putIfNotNull(m, "command_id", commandId);
        return m;
    }

    private static ObjectNode message(String type) {
        return MAPPER.createObjectNode().put("type", type);
    }

    private static void putIfNotNull(ObjectNode m, String field, String value) {
        if (value != null) {
            m.put(field, value);
        }
    }
}
