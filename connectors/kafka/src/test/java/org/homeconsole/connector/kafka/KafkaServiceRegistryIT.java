package org.homeconsole.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.homeconsole.api.services.DuplicateServiceException;
import org.homeconsole.api.services.ServiceCallException;
import org.homeconsole.api.services.ServiceNotFoundException;
import org.homeconsole.api.services.ServiceTimeoutException;
import org.homeconsole.testsupport.KafkaSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two registries with different node ids, sharing one directory on a real broker. */
class KafkaServiceRegistryIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<KafkaServiceRegistry> registries = new ArrayList<>();
    private String directoryTopic;
    private String inboxPrefix;
    private KafkaServiceRegistry nodeA;
    private KafkaServiceRegistry nodeB;

    @BeforeEach
    void startTwoNodes() {
        directoryTopic = KafkaSupport.uniqueName("services");
        inboxPrefix = KafkaSupport.uniqueName("rpc") + ".";
        nodeA = registry(KafkaSupport.uniqueName("node-a"));
        nodeB = registry(KafkaSupport.uniqueName("node-b"));
    }

    @AfterEach
    void closeNodes() {
        registries.forEach(KafkaServiceRegistry::close);
    }

    @Test
    void shouldCallLocalService() {
        // given
        nodeA.register("math.add", args -> args.get("a").asInt() + args.get("b").asInt());

        // when
        JsonNode result = nodeA.call("math.add", Map.of("a", 2, "b", 3));

        // then
        assertThat(result.asInt()).isEqualTo(5);
    }

    @Test
    void shouldPassCalleeExceptionOfLocalServiceToCaller() {
        // given
        nodeA.register("math.divide", args -> {
            throw new ArithmeticException("division by zero");
        });

        // when / then
        assertThatThrownBy(() -> nodeA.call("math.divide", Map.of("a", 1, "b", 0)))
                .isInstanceOfSatisfying(ServiceCallException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(ArithmeticException.class.getName());
                    assertThat(e.errorMessage()).isEqualTo("division by zero");
                    assertThat(e.getCause()).isInstanceOf(ArithmeticException.class);
                });
    }

    @Test
    void shouldFailForUnknownService() {
        // when / then
        assertThatThrownBy(() -> nodeA.call("nobody.home", null))
                .isInstanceOf(ServiceNotFoundException.class)
                .hasMessageContaining("nobody.home");
    }

    @Test
    void shouldRejectNameAlreadyRegisteredOnSameNode() {
        // given
        nodeA.register("devices.list", args -> List.of());

        // when / then
        assertThatThrownBy(() -> nodeA.register("devices.list", args -> List.of("other")))
                .isInstanceOf(DuplicateServiceException.class);
        assertThat(nodeA.call("devices.list", null).isEmpty()).isTrue();
    }

    @Test
    void shouldRejectNameRegisteredOnAnotherNode() {
        // given
        nodeB.register("devices.turn_on", args -> true);
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeA.names()).contains("devices.turn_on"));

        // when / then
        assertThatThrownBy(() -> nodeA.register("devices.turn_on", args -> false))
                .isInstanceOf(DuplicateServiceException.class)
                .hasMessageContaining(nodeB.settings().nodeId());
    }

    @Test
    void shouldCallServiceOnAnotherNode() {
        // given
        nodeB.register("greeter.hello", args -> Map.of("greeting", "hello " + args.get("name").asText(), "from", "B"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeA.names()).contains("greeter.hello"));

        // when
        JsonNode result = nodeA.call("greeter.hello", Map.of("name", "Ada"));

        // then
        assertThat(result.get("greeting").asText()).isEqualTo("hello Ada");
        assertThat(result.get("from").asText()).isEqualTo("B");
    }

    @Test
    void shouldPassExceptionOfRemoteServiceToCaller() {
        // given
        nodeB.register("greeter.fail", args -> {
            throw new IllegalStateException("greeter is grumpy");
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeA.names()).contains("greeter.fail"));

        // when / then
        assertThatThrownBy(() -> nodeA.call("greeter.fail", null))
                .isInstanceOfSatisfying(ServiceCallException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(IllegalStateException.class.getName());
                    assertThat(e.errorMessage()).isEqualTo("greeter is grumpy");
                });
    }

    @Test
    void shouldTimeOutWhenOwningNodeIsClosed() {
        // given
        nodeB.register("slow.echo", args -> args);
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeA.names()).contains("slow.echo"));
        nodeB.close();

        // when
        CompletableFuture<JsonNode> call = nodeA.callAsync("slow.echo", "anyone?", Duration.ofMillis(500));

        // then
        assertThatThrownBy(call::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ServiceTimeoutException.class)
                .hasMessageContaining(nodeB.settings().nodeId());
    }

    @Test
    void shouldRemoveItsOwnStaleEntriesWhenRestarted() {
        // given
        nodeB.register("left.over", args -> null);
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeA.names()).contains("left.over"));
        nodeB.close();

        // when
        registry(nodeB.settings().nodeId());

        // then
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeA.names()).doesNotContain("left.over"));
    }

    private KafkaServiceRegistry registry(String nodeId) {
        KafkaServiceRegistrySettings settings = KafkaServiceRegistrySettings.defaults(KafkaSupport.bootstrapServers(), nodeId)
                .withTopics(directoryTopic, inboxPrefix)
                .withCallTimeout(Duration.ofSeconds(5));
        KafkaServiceRegistry registry = new KafkaServiceRegistry(settings);
        registries.add(registry);
        return registry.start();
    }
}
