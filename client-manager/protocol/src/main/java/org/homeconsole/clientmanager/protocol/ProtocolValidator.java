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
 */
public final class ProtocolValidator {

    /** Every message type of protocol version 1, in the order the docs list them. */
    public static final List<String> TYPES = List.of(Protocol.HELLO, Protocol.HEARTBEAT, Protocol.OUTPUT, Protocol.RESULT,
            Protocol.WELCOME, Protocol.COMMAND, Protocol.CANCEL, Protocol.ERROR);

    private static final Set<String> KNOWN = Set.copyOf(TYPES);

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
        return SchemaValidator.validate("agent/" + type.textValue(), message);
    }
}
