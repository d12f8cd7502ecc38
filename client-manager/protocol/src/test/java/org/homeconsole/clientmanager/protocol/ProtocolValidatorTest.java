package org.homeconsole.clientmanager.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.homeconsole.schemas.SchemaValidator;
import org.homeconsole.schemas.SchemaValidator.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

class ProtocolValidatorTest {

    static final List<String> TYPES = ProtocolValidator.TYPES;

    @ParameterizedTest
    @FieldSource("TYPES")
    void shouldAcceptEveryExampleOfTheSchema(String type) throws IOException {
        // given
        JsonNode examples = schema(type).path("examples");
        // then
        assertThat(examples.size()).isPositive();
        for (JsonNode example : examples) {
            assertThat(ProtocolValidator.validate(example)).as("%s", example).isEmpty();
        }
    }

    @Test
    void shouldAcceptEveryJsonExampleOfTheDoc() throws IOException {
        // given
        String doc = Files.readString(Path.of("../../docs/agent-protocol.md"));
        Matcher block = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<JsonNode> examples = new ArrayList<>();
        while (block.find()) {
            examples.add(Messages.parse(block.group(1)));
        }
        // then: every message type is shown at least once, and every example is valid
        assertThat(examples).extracting(e -> e.path("type").asText()).containsAll(TYPES);
        for (JsonNode example : examples) {
            assertThat(ProtocolValidator.validate(example)).as("%s", example).isEmpty();
        }
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void shouldRejectEachMissingRequiredField(String type) throws IOException {
        JsonNode schema = schema(type);
        for (JsonNode required : schema.path("required")) {
            // given
            ObjectNode message = ((ObjectNode) schema.path("examples").get(0)).deepCopy();
            message.remove(required.asText());
            // when
            List<Violation> violations = ProtocolValidator.validate(message);
            // then
            assertThat(violations).as("without %s", required).extracting(Violation::field).contains(required.asText());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            hello     | protocol             | "1"
            hello     | protocol             | 0
            hello     | agent_id             | "web 01"
            hello     | agent_id             | ""
            hello     | labels               | {"bad key": "x"}
            hello     | labels               | {"role": 1}
            hello     | capabilities         | "exec"
            hello     | running              | "c1"
            hello     | running              | [""]
            welcome   | max_messages_per_second | 0
            heartbeat | ts                   | "now"
            heartbeat | running              | -1
            output    | stream               | "stdin"
            output    | seq                  | 1.5
            output    | data                 | "not base64!"
            result    | state                | "done"
            result    | exit_code            | "0"
            result    | truncated            | "false"
            result    | duration_ms          | -1
            welcome   | heartbeat_interval_ms| 0
            welcome   | max_frame_bytes      | "64k"
            command   | timeout_ms           | 0
            command   | max_output_bytes     | -1
            command   | argv                 | []
            command   | env                  | {"A": 1}
            cancel    | command_id           | 7
            error     | code                 | null
            """)
    void shouldRejectWrongTypes(String type, String field, String badJson) throws IOException {
        // given
        ObjectNode message = ((ObjectNode) schema(type).path("examples").get(0)).deepCopy();
        if (type.equals("command") && field.equals("argv")) {
            message.remove("shell");
        }
        message.set(field, Messages.parse(badJson));
        // when
        List<Violation> violations = ProtocolValidator.validate(message);
        // then
        assertThat(violations).as("%s", message).extracting(Violation::field).anyMatch(f -> f.startsWith(field));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            succeeded | 3    | false
            succeeded | null | false
            succeeded | 0    | true
            failed    | 0    | false
            failed    | 2    | true
            failed    | null | true
            timed_out | null | true
            cancelled | 0    | true
            """)
    void shouldHoldTheResultStateToItsExitCode(String state, String exitCode, boolean valid) throws IOException {
        // given: succeeded means exit code 0, failed another code or none (docs/agent-protocol.md §3.6)
        JsonNode result = Messages.parse("{\"type\":\"result\",\"command_id\":\"c1\",\"state\":\"" + state
                + "\",\"exit_code\":" + exitCode + ",\"duration_ms\":1,\"output_bytes\":0,\"truncated\":false}");
        // when
        List<Violation> violations = ProtocolValidator.validate(result);
        // then: the typed fast check and the schema agree
        assertThat(violations.isEmpty()).as("%s", violations).isEqualTo(valid);
        assertThat(SchemaValidator.validate("agent/result", result).isEmpty()).isEqualTo(valid);
    }

    @Test
    void shouldNameTheTypeFieldWhenTypeIsMissingOrNotAString() throws IOException {
        assertThat(ProtocolValidator.validate(Messages.parse("{\"command_id\":\"x\"}"))).extracting(Violation::field).containsExactly("type");
        assertThat(ProtocolValidator.validate(Messages.parse("{\"type\":7}"))).extracting(Violation::field).containsExactly("type");
        assertThat(ProtocolValidator.validate(Messages.parse("[1]"))).extracting(Violation::field).containsExactly("(body)");
    }

    @Test
    void shouldListTheKnownTypesForAnUnknownType() throws IOException {
        List<Violation> violations = ProtocolValidator.validate(Messages.parse("{\"type\":\"file_chunk\"}"));
        assertThat(violations).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("type");
            assertThat(v.message()).contains("file_chunk", "hello", "command", "error");
        });
        assertThat(ProtocolValidator.isKnownType("file_chunk")).isFalse();
        assertThat(ProtocolValidator.isKnownType(null)).isFalse();
        assertThat(TYPES).allMatch(ProtocolValidator::isKnownType);
    }

    @Test
    void shouldRequireExactlyOneOfArgvAndShell() throws IOException {
        ObjectNode both = Messages.command("c1", List.of("ls"), null, 1000, 10, null, null).put("shell", "ls");
        ObjectNode neither = Messages.command("c1", List.of("ls"), null, 1000, 10, null, null);
        neither.remove("argv");
        assertThat(ProtocolValidator.validate(both)).isNotEmpty();
        assertThat(ProtocolValidator.validate(neither)).isNotEmpty();
    }

    @Test
    void shouldRejectAChunkAbove32KiB() {
        // the schema bounds the base64 text (43692 characters), which 32768 and 32769 bytes both fill
        byte[] data = new byte[Protocol.MAX_CHUNK_BYTES + 3];
        assertThat(ProtocolValidator.validate(Messages.output("c1", "stdout", 0, data, 0, data.length)))
                .extracting(Violation::field).containsExactly("data");
        assertThat(ProtocolValidator.validate(Messages.output("c1", "stdout", 0, data, 3, data.length - 3))).isEmpty();
    }

    @Test
    void shouldIgnoreUnknownProperties() {
        ObjectNode heartbeat = Messages.heartbeat(1L, 0).put("load_avg", 0.5);
        heartbeat.putObject("future").put("x", 1);
        assertThat(ProtocolValidator.validate(heartbeat)).isEmpty();
    }

    @Test
    void shouldBuildValidMessages() {
        byte[] bytes = "xhello\n".getBytes(StandardCharsets.UTF_8);
        List<ObjectNode> messages = List.of(
                Messages.hello(Protocol.VERSION, "web-01", "web-01.lan", "Linux", "amd64", "0.1.0", Map.of("role", "web"), List.of(Protocol.CAP_EXEC)),
                Messages.hello(Protocol.VERSION, "web-01", "web-01.lan", "Linux", null, "0.1.0", null, null),
                Messages.heartbeat(System.currentTimeMillis(), 3),
                Messages.heartbeat(null, null),
                Messages.output("c1", Protocol.STDERR, 4, bytes, 1, bytes.length - 1),
                Messages.result("c1", Protocol.STATE_SUCCEEDED, 0, 12, 6, false, null),
                Messages.result("c1", Protocol.STATE_FAILED, null, 0, 0, false, "agent busy"),
                Messages.welcome(Protocol.VERSION, "s1", "node-1", 30_000, 90_000, Protocol.DEFAULT_MAX_FRAME_BYTES,
                        Protocol.DEFAULT_MESSAGES_PER_SECOND),
                Messages.command("c1", null, "echo hi", 1000, 1024, Map.of("LANG", "C"), "/tmp"),
                Messages.command("c2", List.of("uptime"), null, 1000, 0, null, null),
                Messages.cancel("c1"),
                Messages.error(Protocol.ERR_UNKNOWN_COMMAND, "no such command", Protocol.CANCEL, "c1"),
                Messages.error(Protocol.ERR_MALFORMED, "bad json", null, null));
        for (ObjectNode message : messages) {
            assertThat(ProtocolValidator.validate(message)).as("%s", message).isEmpty();
        }
        assertThat(Messages.data(messages.get(4))).isEqualTo("hello\n".getBytes(StandardCharsets.UTF_8));
        assertThat(messages.get(6).get("exit_code").isNull()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"heartbeat", "output", "result"})
    void shouldTakeTheQuickCheckOnlyForMessagesTheSchemaAccepts(String type) throws IOException {
        // given: the schema's examples, and each of them with every property replaced by values of every kind or removed
        List<JsonNode> values = new ArrayList<>();
        for (String json : List.of("null", "true", "false", "0", "-1", "1", "1.0", "1.5", "-0.0", "9223372036854775807",
                "99999999999999999999", "\"\"", "\"x\"", "\"stdout\"", "\"stderr\"", "\"succeeded\"", "\"failed\"",
                "\"timed_out\"", "\"cancelled\"", "\"aGk=\"", "\"aGk==\"", "\"aGk===\"", "\"a=b\"", "\"not base64!\"",
                "\"aGk=\\n\"", "\"é\"", "[]", "{}", "[1]")) {
            values.add(Messages.parse(json));
        }
        values.add(Messages.mapper().getNodeFactory().textNode("x".repeat(128)));
        values.add(Messages.mapper().getNodeFactory().textNode("x".repeat(129)));
        values.add(Messages.mapper().getNodeFactory().textNode("\uD83D\uDE00".repeat(100)));
        values.add(Messages.mapper().getNodeFactory().textNode("x".repeat(4096)));
        values.add(Messages.mapper().getNodeFactory().textNode("x".repeat(4097)));
        values.add(Messages.mapper().getNodeFactory().textNode("A".repeat(43_692)));
        values.add(Messages.mapper().getNodeFactory().textNode("A".repeat(43_693)));
        JsonNode schema = schema(type);
        List<String> fields = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(fields::add);
        List<ObjectNode> messages = new ArrayList<>();
        for (JsonNode example : schema.path("examples")) {
            messages.add((ObjectNode) example);
            for (String field : fields) {
                if (field.equals("type")) {
                    continue;
                }
                ObjectNode without = example.deepCopy();
                without.remove(field);
                messages.add(without);
                for (JsonNode value : values) {
                    messages.add(example.<ObjectNode>deepCopy().set(field, value));
                }
            }
        }
        int vouched = 0;
        for (ObjectNode message : messages) {
            // when
            boolean quick = ProtocolValidator.plainlyValid(type, message);
            List<Violation> full = SchemaValidator.validate("agent/" + type, message);
            // then: the quick check never lets through what the schema refuses, and validate() still names it
            if (quick) {
                vouched++;
                assertThat(full).as("quick check passed %s", message).isEmpty();
            }
            assertThat(ProtocolValidator.validate(message)).as("%s", message).isEqualTo(full);
        }
        // and the examples themselves take the quick way
        for (JsonNode example : schema.path("examples")) {
            assertThat(ProtocolValidator.plainlyValid(type, example)).as("%s", example).isTrue();
        }
        assertThat(vouched).isGreaterThan(schema.path("examples").size());
    }

    private static JsonNode schema(String type) throws IOException {
        try (InputStream in = ProtocolValidatorTest.class.getResourceAsStream("/schemas/agent/" + type + ".schema.json")) {
            assertThat(in).as("schema of %s on the classpath", type).isNotNull();
            return Messages.mapper().readTree(in);
        }
    }
}
