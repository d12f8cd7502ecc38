package org.homeconsole.connector.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.homeconsole.api.storage.StorageAdapter;
import org.homeconsole.api.storage.StorageAdapterFactory;
import org.homeconsole.api.storage.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every {@link StorageAdapter} owes its callers. A subclass names a fresh database per test and
 * one that cannot be reached; adapters are found through {@link ServiceLoader}, as the runtime finds them.
 */
abstract class StorageAdapterContract {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String LONG_NAME = "n".repeat(256);

    private final List<StorageAdapter> opened = new ArrayList<>();
    protected String url;
    protected StorageAdapter storage;

    /** A database no other test uses; it may not exist yet. */
    protected abstract String freshUrl() throws Exception;

    /** A database that cannot be opened. */
    protected abstract String unreachableUrl() throws Exception;

    /** What the start failure for {@link #unreachableUrl()} must name. */
    protected abstract String unreachableLocation() throws Exception;

    /** How {@link StorageAdapter#describe()} begins, e.g. {@code sqlite:}. */
    protected abstract String describePrefix();

    @BeforeEach
    void startStorage() throws Exception {
        url = freshUrl();
        storage = start(url);
    }

    @AfterEach
    void closeStorages() {
        opened.forEach(StorageAdapter::close);
    }

    protected StorageAdapter start(String url) {
        StorageAdapter adapter = create(url);
        opened.add(adapter);
        adapter.start();
        return adapter;
    }

    protected static StorageAdapter create(String url) {
        return ServiceLoader.load(StorageAdapterFactory.class).stream()
                .map(provider -> provider.get().create(url))
                .flatMap(Optional::stream)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no StorageAdapterFactory accepts " + url));
    }

    static Stream<Arguments> jsonOfEveryKind() throws Exception {
        return Stream.of(
                Arguments.of("object", json("{\"name\":\"lamp\",\"on\":true,\"watts\":7.5}")),
                Arguments.of("empty object", json("{}")),
                Arguments.of("array", json("[1,\"two\",3.0,false,null]")),
                Arguments.of("empty array", json("[]")),
                Arguments.of("string", TextNode.valueOf("hello")),
                Arguments.of("empty string", TextNode.valueOf("")),
                Arguments.of("string of quotes and escapes", TextNode.valueOf("'\"\\/\b\f\n\r\t' OR 1=1; --")),
                Arguments.of("integer", json("42")),
                Arguments.of("negative integer", json("-7")),
                Arguments.of("long", json(String.valueOf(Long.MAX_VALUE))),
                Arguments.of("decimal", json("3.25")),
                Arguments.of("true", json("true")),
                Arguments.of("false", json("false")),
                Arguments.of("null", NullNode.getInstance()),
                Arguments.of("nested", json("{\"a\":{\"b\":[{\"c\":{\"d\":[[1],[2,{\"e\":null}]]}}]},\"z\":\"\"}")),
                Arguments.of("unicode", json("{\"grüße\":\"日本語 ☃ 😀 مرحبا e\u0301\",\"emoji\":[\"🏠\",\"👩‍💻\"]}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jsonOfEveryKind")
    void shouldReturnWhatWasSetForEveryJsonKind(String kind, JsonNode value) {
        // given
        storage.set("devices", kind, value);

        // when
        Optional<JsonNode> read = storage.get("devices", kind);

        // then
        assertThat(read).contains(value);
    }

    @Test
    void shouldStoreAValueOfAboutOneMegabyte() {
        // given
        ObjectNode big = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < 10_000; i++) {
            big.put("entry-" + i, "x".repeat(90) + i);
        }
        assertThat(big.toString().length()).isGreaterThan(1_000_000);

        // when
        storage.set("bulk", "big", big);

        // then
        assertThat(storage.get("bulk", "big")).contains(big);
    }

    @Test
    void shouldSetManyValuesAtOnceAndNoneWhenOneIsBad() {
        // given
        storage.set("jobs", "a", json("{\"old\":true}"));
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> batch = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 500; i++) {
            batch.put("job-" + i, json("{\"n\":" + i + "}"));
        }
        batch.put("a", json("{\"old\":false}"));

        // when
        storage.setAll("jobs", batch);

        // then
        assertThat(storage.listKeys("jobs")).hasSize(501);
        assertThat(storage.get("jobs", "job-499")).contains(json("{\"n\":499}"));
        assertThat(storage.get("jobs", "a")).contains(json("{\"old\":false}"));

        // and a batch with an invalid key writes nothing
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> bad = new java.util.LinkedHashMap<>();
        bad.put("fine", json("1"));
        bad.put("x".repeat(300), json("2"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> storage.setAll("jobs", bad))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(storage.get("jobs", "fine")).isEmpty();
    }

    @Test
    void shouldReplaceTheValueWhenSetTwice() {
        // given
        storage.set("devices", "lamp", json("{\"on\":false}"));

        // when
        storage.set("devices", "lamp", json("[\"replaced\"]"));

        // then
        assertThat(storage.get("devices", "lamp")).contains(json("[\"replaced\"]"));
        assertThat(storage.listKeys("devices")).containsExactly("lamp");
    }

    @Test
    void shouldReturnEmptyForAMissingKey() {
        // given
        storage.set("devices", "lamp", json("1"));

        // when
        Optional<JsonNode> missingKey = storage.get("devices", "fan");
        Optional<JsonNode> missingNamespace = storage.get("nowhere", "lamp");

        // then
        assertThat(missingKey).isEmpty();
        assertThat(missingNamespace).isEmpty();
    }

    @Test
    void shouldListKeysSortedAndOnlyFromTheirNamespace() {
        // given
        for (String key : List.of("b", "B", "a", "A", "10", "9", "_x", "a%", "é")) {
            storage.set("devices", key, json("true"));
        }
        storage.set("other", "0-not-mine", json("true"));

        // when
        List<String> keys = storage.listKeys("devices");

        // then
        assertThat(keys).containsExactly("10", "9", "A", "B", "_x", "a", "a%", "b", "é");
        assertThat(storage.listKeys("empty")).isEmpty();
    }

    @Test
    void shouldDeleteAndSayWhetherTheKeyExisted() {
        // given
        storage.set("devices", "lamp", json("{}"));

        // when
        boolean first = storage.delete("devices", "lamp");
        boolean second = storage.delete("devices", "lamp");

        // then
        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(storage.get("devices", "lamp")).isEmpty();
        assertThat(storage.listKeys("devices")).isEmpty();
    }

    @Test
    void shouldKeepNamespacesApart() {
        // given
        storage.set("kitchen", "lamp", json("\"kitchen\""));
        storage.set("garage", "lamp", json("\"garage\""));

        // when
        storage.delete("kitchen", "lamp");

        // then
        assertThat(storage.get("kitchen", "lamp")).isEmpty();
        assertThat(storage.get("garage", "lamp")).contains(json("\"garage\""));
        assertThat(storage.listKeys("garage")).containsExactly("lamp");
    }

    @Test
    void shouldAcceptNamesOf255Characters() {
        // given
        String name = "k".repeat(255);

        // when
        storage.set(name, name, json("1"));

        // then
        assertThat(storage.get(name, name)).contains(json("1"));
        assertThat(storage.listKeys(name)).containsExactly(name);
    }

    static Stream<Arguments> invalidCalls() {
        return Stream.of(
                invalid("set with null namespace", "namespace", s -> s.set(null, "k", json("1"))),
                invalid("set with empty namespace", "namespace", s -> s.set("", "k", json("1"))),
                invalid("set with long namespace", "namespace", s -> s.set(LONG_NAME, "k", json("1"))),
                invalid("set with null key", "key", s -> s.set("ns", null, json("1"))),
                invalid("set with empty key", "key", s -> s.set("ns", "", json("1"))),
                invalid("set with long key", "key", s -> s.set("ns", LONG_NAME, json("1"))),
                invalid("set with null value", "value", s -> s.set("ns", "k", null)),
                invalid("get with empty namespace", "namespace", s -> s.get("", "k")),
                invalid("get with null key", "key", s -> s.get("ns", null)),
                invalid("get with long key", "key", s -> s.get("ns", LONG_NAME)),
                invalid("listKeys with null namespace", "namespace", s -> s.listKeys(null)),
                invalid("listKeys with long namespace", "namespace", s -> s.listKeys(LONG_NAME)),
                invalid("delete with null namespace", "namespace", s -> s.delete(null, "k")),
                invalid("delete with empty key", "key", s -> s.delete("ns", "")));
    }

    private static Arguments invalid(String name, String argument, Consumer<StorageAdapter> call) {
        return Arguments.of(name, argument, call);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCalls")
    void shouldRejectInvalidArgumentsNamingThem(String name, String argument, Consumer<StorageAdapter> call) {
        // given a started storage

        // when / then
        assertThatThrownBy(() -> call.accept(storage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(argument + " ");
    }

    @Test
    void shouldLoseNoWriteFromConcurrentWriters() throws Exception {
        // given
        int threads = 8;
        int writesPerThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();

        // when
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < writesPerThread; i++) {
                        storage.set("load", "t" + thread + "-" + i, json("{\"t\":" + thread + ",\"i\":" + i + "}"));
                        if (i % 10 == 0) {
                            storage.set("load", "shared", json(String.valueOf(thread)));
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> writer : writers) {
                writer.get();
            }
        } finally {
            pool.shutdownNow();
        }

        // then
        assertThat(storage.listKeys("load")).hasSize(threads * writesPerThread + 1);
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < writesPerThread; i++) {
                assertThat(storage.get("load", "t" + t + "-" + i)).contains(json("{\"t\":" + t + ",\"i\":" + i + "}"));
            }
        }
        assertThat(storage.get("load", "shared").orElseThrow().asInt()).isBetween(0, threads - 1);
    }

    @Test
    void shouldKeepDataWhenReopenedOnTheSameUrl() {
        // given
        storage.set("devices", "lamp", json("{\"on\":true}"));
        storage.set("devices", "gone", json("1"));
        storage.delete("devices", "gone");
        storage.close();

        // when
        StorageAdapter reopened = start(url);

        // then
        assertThat(reopened.get("devices", "lamp")).contains(json("{\"on\":true}"));
        assertThat(reopened.listKeys("devices")).containsExactly("lamp");
    }

    @Test
    void shouldBeHealthyOnlyWhileStarted() {
        // given
        StorageAdapter notStarted = create(url);

        // when
        boolean healthyWhileStarted = storage.isHealthy();
        storage.close();

        // then
        assertThat(healthyWhileStarted).isTrue();
        assertThat(storage.isHealthy()).isFalse();
        assertThat(notStarted.isHealthy()).isFalse();
    }

    @Test
    void shouldRefuseCallsAfterClose() {
        // given
        storage.close();

        // when / then
        assertThatThrownBy(() -> storage.get("devices", "lamp")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldDescribeItselfWithoutCredentials() {
        // given a started storage

        // when
        String description = storage.describe();

        // then
        assertThat(description).startsWith(describePrefix()).doesNotContain("password", "?");
    }

    @Test
    void shouldFailToStartOnAnUnreachableDatabaseNamingIt() throws Exception {
        // given
        StorageAdapter unreachable = create(unreachableUrl());

        // when / then
        assertThatThrownBy(unreachable::start)
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(unreachableLocation());
        assertThat(unreachable.isHealthy()).isFalse();
    }

    protected static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
