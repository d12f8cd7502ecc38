package org.homeconsole.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates JSON against the schema files of this module ({@code schemas/<area>/<name>.schema.json}),
 * the same files the docs show. Each error names the field it is about.
 */
public final class SchemaValidator {

    /** One problem with a document: the field (dotted path, or the missing property) and what is wrong. */
    public record Violation(String field, String message) {
    }

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private SchemaValidator() {
    }

    /**
     * Validates a document.
     *
     * @param schema path below {@code schemas/}, e.g. {@code admin/storage-set}
     * @return the violations, sorted by field; empty when valid
     */
    public static List<Violation> validate(String schema, JsonNode document) {
        JsonSchema compiled = CACHE.computeIfAbsent(schema,
                s -> FACTORY.getSchema(SchemaLocation.of("classpath:schemas/" + s + ".schema.json")));
        return compiled.validate(document).stream()
                .map(SchemaValidator::toViolation)
                .sorted(Comparator.comparing(Violation::field))
                .toList();
    }

    private static Violation toViolation(ValidationMessage message) {
        String location = message.getInstanceLocation().toString();
        String field = location.startsWith("$.") ? location.substring(2) : location.equals("$") ? "" : location;
        if ("required".equals(message.getType()) && message.getProperty() != null) {
            field = field.isEmpty() ? message.getProperty() : field + "." + message.getProperty();
        }
        if ("additionalProperties".equals(message.getType()) && message.getProperty() != null) {
            field = field.isEmpty() ? message.getProperty() : field + "." + message.getProperty();
        }
        String text = message.getError() != null ? message.getError() : message.getMessage();
        return new Violation(field.isEmpty() ? "(body)" : field, text);
    }
}
