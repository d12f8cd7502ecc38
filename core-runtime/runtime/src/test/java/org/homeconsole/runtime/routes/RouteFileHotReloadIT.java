package org.homeconsole.runtime.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.homeconsole.runtime.Platform;
import org.homeconsole.runtime.PlatformAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins as route files: a file added, edited, broken and removed while the node runs takes effect within
 * 5 s, and a WebSocket client connected to another route's endpoint stays connected and served throughout.
 */
class RouteFileHotReloadIT {

    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);
    private static final String WS_ROUTE = """
            - route:
                id: test-ws-echo
                from:
                  uri: "vertx-websocket:0.0.0.0:{{homeconsole.http.port}}/test/echo"
                  steps:
                    - setBody:
                        simple: "echo:${body}"
                    - to: "vertx-websocket:0.0.0.0:{{homeconsole.http.port}}/test/echo"
            """;

    @TempDir
    Path dir;
    Path routes;
    Platform platform;

    @BeforeEach
    void start() throws Exception {
        routes = Files.createDirectories(dir.resolve("routes/plugins"));
        Files.writeString(routes.resolve("test-ws.camel.yaml"), WS_ROUTE);
        Map<String, String> settings = PlatformAccess.settings(dir);
        settings.put("HOMECONSOLE_ROUTES_DIR", dir.resolve("routes").toString());
        platform = PlatformAccess.start(dir, settings);
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    @Test
    void shouldApplyAddEditBreakAndDeleteOfOneFileWithoutDisturbingOthers() throws Exception {
        // given a WebSocket client on the route of another file
        List<String> echoes = new CopyOnWriteArrayList<>();
        List<String> closes = new CopyOnWriteArrayList<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + platform.settings().httpPort() + "/test/echo"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        echoes.add(data.toString());
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                        closes.add(status + " " + reason);
                        return null;
                    }
                }).join();
        assertEcho(socket, echoes, "before");

        // when a file is added
        Path file = routes.resolve("hello.camel.yaml");
        Files.writeString(file, hello("hello v1"));
        // then it is live within 5 s
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(body("/api/hello")).isEqualTo("200 hello v1"));
        assertEcho(socket, echoes, "after-add");

        // when it is edited
        Files.writeString(file, hello("hello v2"));
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(body("/api/hello")).isEqualTo("200 hello v2"));
        assertEcho(socket, echoes, "after-edit");

        // when it is broken, the failure is reported and the previous version keeps running
        Files.writeString(file, "- route:\n    id: hello-route\n    from:\n      uri: direct:x\n      steps:\n        - nosuchstep: {}\n");
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(platform.routeFiles().failures())
                .anySatisfy(f -> assertThat(f.file()).isEqualTo("plugins/hello.camel.yaml")));
        assertThat(body("/api/hello")).isEqualTo("200 hello v2");
        assertEcho(socket, echoes, "after-break");

        // when it is removed
        Files.delete(file);
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(body("/api/hello")).startsWith("404"));
        assertEcho(socket, echoes, "after-delete");
        assertThat(closes).isEmpty();
        assertThat(platform.camel().getRoute("test-ws-echo").getUptimeMillis()).isGreaterThan(0);
    }

    @Test
    void shouldRefuseAFileThatTakesAnotherFilesRouteId() throws Exception {
        Files.writeString(routes.resolve("thief.camel.yaml"), WS_ROUTE.replace("/test/echo", "/test/other"));
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(platform.routeFiles().failures())
                .anySatisfy(f -> assertThat(f.error()).contains("test-ws-echo").contains("test-ws.camel.yaml")));
        assertThat(platform.camel().getRoute("test-ws-echo").getEndpoint().getEndpointUri()).contains("/test/echo");
    }

    private static String hello(String text) {
        return """
                - rest:
                    path: /api/hello
                    get:
                      - to: direct:hello
                - route:
                    id: hello-route
                    from:
                      uri: direct:hello
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(text);
    }

    private String body(String path) throws Exception {
        HttpResponse<String> response = PlatformAccess.get(platform, path);
        return response.statusCode() + " " + response.body();
    }

    private static void assertEcho(WebSocket socket, List<String> echoes, String text) {
        socket.sendText(text, true).join();
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(echoes).contains("echo:" + text));
    }
}
