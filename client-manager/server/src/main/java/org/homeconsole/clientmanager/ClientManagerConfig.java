package org.homeconsole.clientmanager;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The client manager's settings (SPEC.md §2), highest priority first: Storage {@code plugin_config/client_manager}
 * (fields in snake_case, e.g. {@code "mode"}, {@code "port"}), then the environment and {@code .env}
 * ({@code CLIENT_MANAGER_MODE}, ...), then the defaults. A bad value stops the plugin with a message naming
 * where it came from.
 *
 * @param mode                standalone (own server on host:port, REST under /api) or integrated (the core's server, REST under /api/client-manager)
 * @param host                standalone: address to listen on (0.0.0.0)
 * @param port                standalone: port (10000)
 * @param wsPrefix            integrated: prefix of the WebSocket paths ("" → /ws and /admin/ws)
 * @param heartbeatIntervalMs how often agents heartbeat (10000), told to them in {@code welcome}
 * @param heartbeatTimeoutMs  no heartbeat for this long marks an agent offline and closes its socket (30000)
 * @param helloTimeoutMs      a socket without a valid hello after this long is closed (10000)
 * @param maxFrameBytes       largest agent or admin message accepted (65536)
 * @param messagesPerSecond   per-socket message rate allowed, with a burst of twice as many (2000)
 * @param commandTimeoutMs    default command timeout (60000)
 * @param maxOutputBytes      default output kept per command (1 MiB); a request may ask for up to 64 MiB
 * @param commandAllow        command policy: patterns a command must match one of (empty = any)
 * @param commandDeny         command policy: patterns that refuse a command (deny wins)
 * @param nodeTtlMs           with a shared registry (REDIS_URL): a node that stops renewing its liveness for this
 *                            long is lost, and its agents read as offline (10000)
 */
public record ClientManagerConfig(
        Mode mode,
        String host,
        int port,
        String wsPrefix,
        long heartbeatIntervalMs,
        long heartbeatTimeoutMs,
        long helloTimeoutMs,
        int maxFrameBytes,
        int messagesPerSecond,
        long commandTimeoutMs,
        long maxOutputBytes,
        List<String> commandAllow,
        List<String> commandDeny,
        long nodeTtlMs) {

    public enum Mode { STANDALONE, INTEGRATED }

    /** Largest output a single command may keep. */
    public static final long OUTPUT_CEILING = 64L << 20;

    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9._~-]+)*");

    /** Thrown for a bad setting; the message names it. */
    public static final class ConfigException extends IllegalArgumentException {
        public ConfigException(String message) {
            super(message);
        }
    }

    /** REST base path: {@code /api} standalone, {@code /api/client-manager} integrated. */
    public String restBase() {
        return mode == Mode.STANDALONE ? "/api" : "/api/client-manager";
    }

    /** Agent socket path. */
    public String agentPath() {
        return (mode == Mode.STANDALONE ? "" : wsPrefix) + "/ws";
    }

    /** Admin socket path. */
    public String adminPath() {
        return (mode == Mode.STANDALONE ? "" : wsPrefix) + "/admin/ws";
    }

    /**
     * Resolves the configuration.
     *
     * @param stored      the Storage value {@code plugin_config/client_manager} (may be empty or missing)
     * @param environment environment and .env lookup
     */
    public static ClientManagerConfig resolve(JsonNode stored, Function<String, Optional<String>> environment) {
        Source source = new Source(stored, environment);
        Mode mode = switch (source.text("mode", "CLIENT_MANAGER_MODE", "standalone").toLowerCase(Locale.ROOT)) {
            case "standalone" -> Mode.STANDALONE;
            case "integrated" -> Mode.INTEGRATED;
            default -> throw source.bad("mode", "CLIENT_MANAGER_MODE", "must be 'standalone' or 'integrated'");
        };
        String host = source.text("host", "CLIENT_MANAGER_HOST", "0.0.0.0");
        if (host.isBlank()) {
            throw source.bad("host", "CLIENT_MANAGER_HOST", "must not be empty");
        }
        int port = (int) source.number("port", "CLIENT_MANAGER_PORT", 10000, 1, 65535);
        String prefix = source.text("ws_prefix", "CLIENT_MANAGER_WS_PREFIX", "");
        if (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!PREFIX.matcher(prefix).matches()) {
            throw source.bad("ws_prefix", "CLIENT_MANAGER_WS_PREFIX", "must be empty or a path like /client-manager");
        }
        long interval = source.number("heartbeat_interval_ms", "CLIENT_MANAGER_HEARTBEAT_INTERVAL_MS", 10_000, 100, 3_600_000);
        long timeout = source.number("heartbeat_timeout_ms", "CLIENT_MANAGER_HEARTBEAT_TIMEOUT_MS", 3 * interval, 200, 10_800_000);
        if (timeout <= interval) {
            throw source.bad("heartbeat_timeout_ms", "CLIENT_MANAGER_HEARTBEAT_TIMEOUT_MS",
                    "must be longer than the heartbeat interval (" + interval + " ms)");
        }
        long hello = source.number("hello_timeout_ms", "CLIENT_MANAGER_HELLO_TIMEOUT_MS", 10_000, 100, 600_000);
        int frame = (int) source.number("max_frame_bytes", "CLIENT_MANAGER_MAX_FRAME_BYTES", 65_536, 4_096, 16 << 20);
        int rate = (int) source.number("messages_per_second", "CLIENT_MANAGER_MESSAGES_PER_SECOND", 2_000, 1, 1_000_000);
        long commandTimeout = source.number("command_timeout_ms", "CLIENT_MANAGER_COMMAND_TIMEOUT_MS", 60_000, 1, 86_400_000);
        long maxOutput = source.number("max_output_bytes", "CLIENT_MANAGER_MAX_OUTPUT_BYTES", 1 << 20, 0, OUTPUT_CEILING);
        List<String> allow = source.list("command_allow", "CLIENT_MANAGER_COMMAND_ALLOW");
        List<String> deny = source.list("command_deny", "CLIENT_MANAGER_COMMAND_DENY");
        long nodeTtl = source.number("node_ttl_ms", "CLIENT_MANAGER_NODE_TTL_MS", 10_000, 1_000, 600_000);
        return new ClientManagerConfig(mode, host, port, prefix, interval, timeout, hello, frame, rate, commandTimeout,
                maxOutput, allow, deny, nodeTtl);
    }

    /** Where each value comes from: stored config, then environment, then default. */
    private record Source(JsonNode stored, Function<String, Optional<String>> environment) {

        String text(String field, String env, String defaultValue) {
            JsonNode value = stored == null ? null : stored.get(field);
            if (value != null && !value.isNull()) {
                if (!value.isValueNode()) {
                    throw bad(field, env, "must be a string");
                }
                return value.asText().strip();
            }
            return environment.apply(env).map(String::strip).orElse(defaultValue);
        }

        long number(String field, String env, long defaultValue, long min, long max) {
            JsonNode value = stored == null ? null : stored.get(field);
            String text;
            boolean fromStorage = value != null && !value.isNull();
            if (fromStorage) {
                text = value.asText().strip();
            } else {
                Optional<String> fromEnv = environment.apply(env);
                if (fromEnv.isEmpty() || fromEnv.get().isBlank()) {
                    return defaultValue;
                }
                text = fromEnv.get().strip();
            }
            long parsed;
            try {
                parsed = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw bad(field, env, "'" + text + "' is not a whole number");
            }
            if (parsed < min || parsed > max) {
                throw bad(field, env, parsed + " is outside " + min + ".." + max);
            }
            return parsed;
        }

        List<String> list(String field, String env) {
            JsonNode value = stored == null ? null : stored.get(field);
            List<String> out = new ArrayList<>();
            if (value != null && value.isArray()) {
                value.forEach(v -> out.add(v.asText()));
            } else {
                String text = text(field, env, "");
                for (String part : text.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.strip());
                    }
                }
            }
            return List.copyOf(out);
        }

        ConfigException bad(String field, String env, String problem) {
            JsonNode value = stored == null ? null : stored.get(field);
            String where = value != null && !value.isNull()
                    ? "plugin_config/client_manager field '" + field + "'" : env;
            return new ConfigException(where + " " + problem);
        }
    }
}
