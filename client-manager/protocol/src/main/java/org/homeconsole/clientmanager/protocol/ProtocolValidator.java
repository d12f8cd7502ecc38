package org.homeconsole.clientmanager.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.homeconsole.schemas.SchemaValidator;
import org.homeconsole.schemas.SchemaValidator.Violation;

/**
 * Checks one agent-protocol message against its schema ({@code schemas/agent/<type>.schema.json}), chosen by
 * the message's {@code type}. Used at the edge by both the client manager and the reference agent; unknown
 * properties are allowed (forward compatibility), wrong types and missing fields are not.
 *
 * <p>The messages an agent sends all the time ({@code heartbeat}, {@code output}, {@code result}) first go
 * through {@link #plainlyValid}, a typed check of their few fields that only ever says "valid" for a
 * message the schema accepts too. Whatever it does not vouch for goes through the full schema, so a bad
 * message gets exactly the violations the schema names; only the cost of a good one changes.
 */
public final class ProtocolValidator {

    /** Every message type of protocol version 1, in the order the docs list them. */
    public static final List<String> TYPES = List.of(Protocol.HELLO, Protocol.HEARTBEAT, Protocol.OUTPUT, Protocol.RESULT,
            Protocol.WELCOME, Protocol.COMMAND, Protocol.CANCEL, Protocol.ERROR);

    private static final Set<String> KNOWN = Set.copyOf(TYPES);

    /** {@code output.data}: at most this many characters (schemas/agent/output.schema.json). */
    private static final int MAX_DATA_CHARS = 43_692;
    /** {@code result.error}: at most this many characters. */
    private static final int MAX_ERROR_CHARS = 4096;
    /** {@code command_id}: 1 to this many characters. */
    private static final int MAX_COMMAND_ID_CHARS = 128;

    private ProtocolValidator() {
    }

    /** Whether {@code type} is a message type of this protocol version. */
    public static boolean isKnownType(String type) {
        return type != null && KNOWN.contains(type);
    }

    /**
     * Validates a message.
     *
     * @return the violations, each naming its field ({@code type} when the type is missing, not a string or
     *         unknown); empty when the message is valid
     */
    public static List<Violation> validate(JsonNode message) {
        if (message == null || !message.isObject()) {
            return List.of(new Violation("(body)", "a message must be a JSON object"));
        }
        JsonNode type = message.get("type");
        if (type == null || !type.isTextual()) {
            return List.of(new Violation("type", "required, a string naming the message type"));
        }
        if (!isKnownType(type.textValue())) {
            return List.of(new Violation("type", "unknown message type '" + type.textValue() + "'; known types: "
                    + String.join(", ", TYPES)));
        }
        if (plainlyValid(type.textValue(), message)) {
            return List.of();
        }
        return SchemaValidator.validate("agent/" + type.textValue(), message);
    }

    /**
     * Whether a {@code heartbeat}, {@code output} or {@code result} message is valid by a direct check of its
     * fields against what its schema says. {@code true} only when the schema accepts the message too;
     * {@code false} means "not sure" (other types, doubtful values such as {@code 1.0} for an integer or
     * text beyond the length the check counts): the caller then asks the schema.
     */
    static boolean plainlyValid(String type, JsonNode message) {
        return switch (type) {
            case Protocol.HEARTBEAT -> optionalCount(message.get("ts")) && optionalCount(message.get("running"));
            case Protocol.OUTPUT -> commandId(message.get("command_id")) && stream(message.get("stream"))
                    && count(message.get("seq")) && base64(message.get("data"), MAX_DATA_CHARS);
            case Protocol.RESULT -> commandId(message.get("command_id")) && resultState(message.get("state"))
                    && exitCode(message.get("exit_code")) && exitCodeFitsState(message) && count(message.get("duration_ms"))
                    && count(message.get("output_bytes")) && isBoolean(message.get("truncated"))
                    && optionalText(message.get("error"), MAX_ERROR_CHARS);
            default -> false;
        };
    }

    /** An integer ≥ 0 held as int or long (a double such as 1.0 is left to the schema). */
    private static boolean count(JsonNode value) {
        return value != null && (value.isInt() || value.isLong()) && value.longValue() >= 0;
    }

    private static boolean optionalCount(JsonNode value) {
        return value == null || count(value);
    }

    private static boolean exitCode(JsonNode value) {
        return value != null && (value.isNull() || value.isInt() || value.isLong());
    }

    /** The schema's if/then: succeeded has exit code 0, failed has another one or null. */
    private static boolean exitCodeFitsState(JsonNode result) {
        JsonNode exit = result.get("exit_code");
        boolean zero = !exit.isNull() && exit.longValue() == 0;
        return switch (result.get("state").textValue()) {
            case Protocol.STATE_SUCCEEDED -> zero;
            case Protocol.STATE_FAILED -> !zero;
            default -> true;
        };
    }

    private static boolean isBoolean(JsonNode value) {
        return value != null && value.isBoolean();
    }

    /**
     * Schema lengths count code points; a string of n UTF-16 units has at most n code points, and at least
     * one when n ≥ 1, so a UTF-16 length within bounds is within bounds (beyond them: not sure).
     */
    private static boolean commandId(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return false;
        }
        int length = value.textValue().length();
        return length >= 1 && length <= MAX_COMMAND_ID_CHARS;
    }

    private static boolean optionalText(JsonNode value, int maxChars) {
        return value == null || value.isTextual() && value.textValue().length() <= maxChars;
    }

    private static boolean stream(JsonNode value) {
        return value != null && value.isTextual()
                && (Protocol.STDOUT.equals(value.textValue()) || Protocol.STDERR.equals(value.textValue()));
    }

    private static boolean resultState(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return false;
        }
        return switch (value.textValue()) {
            case Protocol.STATE_SUCCEEDED, Protocol.STATE_FAILED, Protocol.STATE_TIMED_OUT, Protocol.STATE_CANCELLED -> true;
            default -> false;
        };
    }

    /** The schema's {@code ^[A-Za-z0-9+/]*={0,2}$}, within {@code maxChars}. */
    private static boolean base64(JsonNode value, int maxChars) {
        if (value == null || !value.isTextual()) {
            return false;
        }
        String text = value.textValue();
        int length = text.length();
        if (length > maxChars) {
            return false;
        }
        int end = length;
        // at most two '=' at the end
        for (int pad = 0; pad < 2 && end > 0 && text.charAt(end - 1) == '='; pad++) {
            end--;
        }
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
