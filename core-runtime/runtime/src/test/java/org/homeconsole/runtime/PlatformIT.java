package org.homeconsole.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.homeconsole.runtime.TestPlatforms.ADMIN_KEY;
import static org.homeconsole.runtime.TestPlatforms.get;
import static org.homeconsole.runtime.TestPlatforms.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.plugin.PluginState;
import org.homeconsole.api.services.ServiceNotFoundException;
import org.homeconsole.testsupport.KafkaSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One real node (real Kafka, SQLite, the repository's route files, the example plugins) driven from outside. */
class PlatformIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Platform platform;

    @BeforeAll
    static void startPlatform() {
        platform = TestPlatforms.start(dir, TestPlatforms.settings(dir));
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void shouldBeHealthyAndReadyOnceEverythingStarted() throws Exception {
        assertThat(get(platform, "/health", null).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get(platform, "/ready", null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).path("status").asText()).isEqualTo("READY");
    }

    @Test
    void shouldDescribeEveryRestRouteInOpenApi() throws Exception {
        HttpResponse<String> response = get(platform, "/api/openapi.json", null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode paths = JSON.readTree(response.body()).path("paths");
        assertThat(paths.fieldNames()).toIterable().contains("/health", "/ready", "/api/admin/v1/storage/set",
                "/api/admin/v1/storage/{namespace}/{key}", "/api/admin/v1/plugins", "/api/admin/v1/routes", "/api/devices/{id}");
    }

    @Test
    void shouldRefuseAdminCallsWithoutOrWithWrongKey() throws Exception {
        String body = "{\"namespace\":\"n\",\"key\":\"k\",\"value\":1}";
        HttpResponse<String> none = send(platform, "POST", "/api/admin/v1/storage/set", null, body);
        HttpResponse<String> wrong = send(platform, "POST", "/api/admin/v1/storage/set", "not-the-key", body);
        HttpResponse<String> list = get(platform, "/api/admin/v1/plugins", "Bearer-less");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(list.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(none.body()).path("status").asInt()).isEqualTo(401);
        assertThat(platform.kernel().storage().get("n", "k")).isEmpty();
    }

    @Test
    void shouldAnswerBadBodiesWith400NamingTheField() throws Exception {
        assertProblem(send(platform, "POST", "/api/admin/v1/storage/set", ADMIN_KEY, "{\"key\":\"k\",\"value\":1}"), "namespace");
        assertProblem(send(platform, "POST", "/api/admin/v1/storage/set", ADMIN_KEY, "{\"namespace\":7,\"key\":\"k\",\"value\":1}"), "namespace");
        assertProblem(send(platform, "POST", "/api/admin/v1/storage/set", ADMIN_KEY, "{\"namespace\":\"n\",\"key\":\"\",\"value\":1}"), "key");
        assertProblem(send(platform, "POST", "/api/admin/v1/storage/set", ADMIN_KEY, "{\"namespace\":\"n\",\"key\":\"k\"}"), "value");
        assertProblem(send(platform, "POST", "/api/admin/v1/storage/set", ADMIN_KEY, "{\"namespace\":\"n\",\"key\":\"k\",\"value\":1,\"ttl\":5}"), "ttl");
        assertProblem(send(platform, "POST", "/api/admin/v1/storage/set", ADMIN_KEY, "{\"namespace\": \"n\", "), "(body)");
        assertProblem(send(platform, "POST", "/api/admin/v1/storage/set", ADMIN_KEY, ""), "(body)");
        HttpResponse<String> form = TestPlatforms.HTTP.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(TestPlatforms.base(platform) + "/api/admin/v1/storage/set"))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("namespace=n&key=k")).build(), HttpResponse.BodyHandlers.ofString());
        assertProblem(form, "(body)");
        // a body over HOMECONSOLE_HTTP_MAX_BODY_BYTES (16 MiB) is refused before it is buffered whole
        String huge = "{\"namespace\":\"n\",\"key\":\"k\",\"value\":\"" + "x".repeat(17 << 20) + "\"}";
        assertThat(send(platform, "POST", "/api/admin/v1/storage/set", ADMIN_KEY, huge).statusCode()).isEqualTo(413);
        assertThat(platform.kernel().storage().listKeys("n")).isEmpty();
        // the node still serves
        assertThat(get(platform, "/ready", null).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldStoreThroughAdminApiWhatStorageReadsBack() throws Exception {
        // when
        HttpResponse<String> set = send(platform, "POST", "/api/admin/v1/storage/set", ADMIN_KEY,
                "{\"namespace\":\"plugin_config\",\"key\":\"client_manager\",\"value\":{\"mode\":\"integrated\",\"port\":\"10000\"}}");
        // then
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(platform.kernel().storage().get("plugin_config", "client_manager")).hasValueSatisfying(value ->
                assertThat(value.path("mode").asText()).isEqualTo("integrated"));
        assertThat(JSON.readTree(get(platform, "/api/admin/v1/storage/plugin_config/client_manager", ADMIN_KEY).body())
                .path("value").path("port").asText()).isEqualTo("10000");
        assertThat(JSON.readTree(get(platform, "/api/admin/v1/storage/plugin_config", ADMIN_KEY).body()).path("keys").toString())
                .isEqualTo("[\"client_manager\"]");
        assertThat(send(platform, "DELETE", "/api/admin/v1/storage/plugin_config/client_manager", ADMIN_KEY, null).statusCode()).isEqualTo(204);
        assertThat(get(platform, "/api/admin/v1/storage/plugin_config/client_manager", ADMIN_KEY).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldListPluginsAndStopAndStartOne() throws Exception {
        JsonNode plugins = JSON.readTree(get(platform, "/api/admin/v1/plugins", ADMIN_KEY).body()).path("plugins");
        assertThat(plugins.findValuesAsText("name")).contains("devices");
        assertThat(plugins.get(0).path("state").asText()).isEqualTo("STARTED");

        HttpResponse<String> stopped = send(platform, "POST", "/api/admin/v1/plugins/devices/stop", ADMIN_KEY, null);
        assertThat(JSON.readTree(stopped.body()).path("state").asText()).isEqualTo("STOPPED");
        assertThatThrownBy(() -> platform.kernel().services().call("devices.list", null)).isInstanceOf(ServiceNotFoundException.class);
        assertThat(get(platform, "/ready", null).statusCode()).isEqualTo(503);

        HttpResponse<String> started = send(platform, "POST", "/api/admin/v1/plugins/devices/start", ADMIN_KEY, null);
        assertThat(JSON.readTree(started.body()).path("state").asText()).isEqualTo("STARTED");
        assertThat(platform.plugins().get("devices").state()).isEqualTo(PluginState.STARTED);
        assertThat(platform.kernel().services().call("devices.list", null).isArray()).isTrue();
        assertThat(send(platform, "POST", "/api/admin/v1/plugins/devices/dance", ADMIN_KEY, null).statusCode()).isEqualTo(400);

        // unloading removes the plugin's REST routes from the core's server; loading mounts them again
        send(platform, "POST", "/api/admin/v1/plugins/devices/stop", ADMIN_KEY, null);
        assertThat(JSON.readTree(send(platform, "POST", "/api/admin/v1/plugins/devices/unload", ADMIN_KEY, null).body())
                .path("state").asText()).isEqualTo("UNLOADED");
        assertThat(get(platform, "/api/devices", null).statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(get(platform, "/api/openapi.json", null).body()).path("paths").has("/api/devices")).isFalse();
        send(platform, "POST", "/api/admin/v1/plugins/devices/load", ADMIN_KEY, null);
        assertThat(JSON.readTree(send(platform, "POST", "/api/admin/v1/plugins/devices/start", ADMIN_KEY, null).body())
                .path("state").asText()).isEqualTo("STARTED");
        assertThat(get(platform, "/api/devices", null).statusCode()).isEqualTo(200);
        assertThat(send(platform, "POST", "/api/admin/v1/plugins/nope/start", ADMIN_KEY, null).statusCode()).isEqualTo(404);
        assertThat(send(platform, "POST", "/api/admin/v1/plugins/devices/start", ADMIN_KEY, null).statusCode()).isEqualTo(409);
    }

    @Test
    void shouldRunDevicesPluginAndPublishEventsPlainConsumersRead() throws Exception {
        // given a plain consumer at the end of the events topic
        try (KafkaConsumer<String, String> consumer = plainConsumer()) {
            TopicPartition[] partitions = consumer.partitionsFor(platform.settings().eventsTopic()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toArray(TopicPartition[]::new);
            consumer.assign(List.of(partitions));
            consumer.seekToEnd(List.of(partitions));
            List.of(partitions).forEach(consumer::position);
            // when a device is registered over REST and switched on through the service registry
            assertThat(send(platform, "PUT", "/api/devices/lamp_1", null, "{\"name\":\"Desk lamp\"}").statusCode()).isEqualTo(200);
            JsonNode result = platform.kernel().services().call("devices.turn_on", "lamp_1");
            // then
            assertThat(result.path("status").asText()).isEqualTo("ok");
            List<ConsumerRecord<String, String>> seen = new CopyOnWriteArrayList<>();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                assertThat(seen).anySatisfy(record -> {
                    assertThat(header(record, "ce_type")).isEqualTo("device.state_changed");
                    assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
                    assertThat(record.key()).isEqualTo("lamp_1");
                    assertThat(JSON.readTree(record.value()).path("state").asText()).isEqualTo("on");
                });
            });
            assertThat(JSON.readTree(get(platform, "/api/devices/lamp_1", null).body()).path("state").asText()).isEqualTo("on");
            assertThat(get(platform, "/api/devices/nothing", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void shouldReactInRouteFilePluginToEventFromPlainKafkaProducer() throws Exception {
        // given a subscriber to what the route plugin publishes
        List<Event> notifications = new CopyOnWriteArrayList<>();
        try (var subscription = platform.kernel().events().subscribe("test", "notification.requested", notifications::add)) {
            // when any Kafka client writes a device event in the documented format
            try (KafkaProducer<String, String> producer = plainProducer()) {
                ProducerRecord<String, String> record = new ProducerRecord<>(platform.settings().eventsTopic(), "hall",
                        "{\"device_id\":\"hall\",\"state\":\"on\"}");
                record.headers().add("ce_specversion", b("1.0")).add("ce_id", b("ext-1")).add("ce_type", b("device.state_changed"))
                        .add("ce_source", b("/kafka-console")).add("content-type", b("application/json"));
                producer.send(record).get();
            }
            // then the YAML route plugin reacted
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(notifications).anySatisfy(event -> {
                assertThat(event.data().path("text").asText()).isEqualTo("Device hall turned on");
                assertThat(event.key()).isEqualTo("hall");
            }));
        }
    }

    @Test
    void shouldPublishStateChangedForEveryChange() {
        List<Event> changes = new CopyOnWriteArrayList<>();
        try (var subscription = platform.kernel().events().subscribe("test-state", "state.changed", changes::add)) {
            platform.kernel().state().set("system.maintenance_mode", true);
            platform.kernel().state().set("system.maintenance_mode", false);
            platform.kernel().state().delete("system.maintenance_mode");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(changes)
                    .filteredOn(e -> e.key().equals("system.maintenance_mode"))
                    .extracting(e -> e.data().toString())
                    .containsExactly("{\"key\":\"system.maintenance_mode\",\"value\":true,\"previous\":null}",
                            "{\"key\":\"system.maintenance_mode\",\"value\":false,\"previous\":true}",
                            "{\"key\":\"system.maintenance_mode\",\"previous\":false,\"deleted\":true}"));
        }
        assertThat(platform.kernel().state().list("plugin.")).containsEntry("plugin.devices.state", "STARTED");
    }

    @Test
    void shouldExposeMetricsJolokiaAndRouteStatus() throws Exception {
        assertThat(get(platform, "/observe/metrics", null).body()).contains("camel_exchanges");
        HttpResponse<String> jolokia = get(platform, "/observe/jolokia/search/org.apache.camel:type=routes,*", null);
        assertThat(jolokia.statusCode()).isEqualTo(200);
        assertThat(jolokia.body()).contains("admin-storage-set");
        JsonNode routes = JSON.readTree(get(platform, "/api/admin/v1/routes", ADMIN_KEY).body());
        assertThat(routes.path("routes").findValuesAsText("id")).contains("device-notifications", "admin-storage-set", "devices-list");
        for (JsonNode file : routes.path("files")) {
            if (file.toString().contains("client-manager")) {
                // the client_manager plugin is not on this module's classpath: its route file waits for the
                // properties the plugin sets, and says which
                assertThat(file.path("state").asText()).isEqualTo("FAILED");
                assertThat(file.toString()).contains("clientManager.restBase");
            } else {
                assertThat(file.path("state").asText()).as(file.toString()).isEqualTo("LOADED");
            }
        }
    }

    private static void assertProblem(HttpResponse<String> response, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("field").asText()).as(response.body()).isEqualTo(field);
        assertThat(problem.path("detail").asText()).startsWith(field);
    }

    private static KafkaConsumer<String, String> plainConsumer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", KafkaSupport.bootstrapServers());
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        props.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(props);
    }

    private static KafkaProducer<String, String> plainProducer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", KafkaSupport.bootstrapServers()), new StringSerializer(), new StringSerializer());
    }

    private static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
