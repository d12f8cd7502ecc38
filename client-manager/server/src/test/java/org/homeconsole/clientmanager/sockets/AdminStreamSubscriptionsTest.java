package org.homeconsole.clientmanager.sockets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.storage.Storage;
import org.homeconsole.clientmanager.Audit;
import org.homeconsole.clientmanager.ClientManagerConfig;
import org.homeconsole.clientmanager.EventsOut;
import org.homeconsole.testsupport.RecordingEventBus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin stream holds bus subscriptions only while a socket needs them. */
class AdminStreamSubscriptionsTest {

    private static final String KEY = "admin-key";

    private final ObjectMapper mapper = new ObjectMapper();
    private final RecordingEventBus bus = new RecordingEventBus();
    private Vertx vertx;
    private HttpServer server;
    private AdminStream admin;
    private EventsOut eventsOut;
    private String url;

    @BeforeEach
    void start() throws Exception {
        ClientManagerConfig config = ClientManagerConfig.resolve(null, name -> Optional.empty());
        eventsOut = new EventsOut(bus, "test");
        admin = new AdminStream(config, ("Bearer " + KEY)::equals, new Audit("test", eventsOut, new NoStorage(), mapper),
                mapper, bus);
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        admin.mount(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        url = "ws://127.0.0.1:" + server.actualPort() + config.adminPath();
    }

    @AfterEach
    void stop() throws Exception {
        admin.unmount();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        eventsOut.close();
    }

    private boolean subscribed(String pattern) {
        return admin.subscribedTo(pattern);
    }

    @Test
    void subscribesToTheBusOnlyWhileASocketNeedsItsEvents() throws Exception {
        Client a = new Client();
        assertThat(bus.all).isEmpty();
        a.send("{\"type\":\"ping\"}").next("pong");
        assertThat(bus.all).as("a socket that subscribed to nothing").isEmpty();

        a.send("{\"type\":\"subscribe\",\"topic\":\"clients\"}").next("subscribed");
        assertThat(subscribed("client.*")).isTrue();
        assertThat(subscribed("job.*")).isFalse();
        // what the bus delivers from then on reaches the socket
        ObjectNode data = mapper.createObjectNode().put("agent_id", "web-1");
        bus.open().get(0).handler.handle(Event.of("client.connected", "/test", "web-1", null, data));
        JsonNode event = a.next("event");
        assertThat(event.path("event_type").asText()).isEqualTo("client.connected");
        assertThat(event.path("data").path("agent_id").asText()).isEqualTo("web-1");

        a.send("{\"type\":\"subscribe\",\"job_id\":\"j1\"}").next("subscribed");
        assertThat(subscribed("job.*")).isTrue();
        assertThat(subscribed("command.*")).isTrue();

        Client b = new Client();
        b.send("{\"type\":\"subscribe\",\"topic\":\"jobs\"}").next("subscribed");
        int subscriptions = bus.all.size();
        a.send("{\"type\":\"unsubscribe\",\"job_id\":\"j1\"}").next("unsubscribed");
        assertThat(subscribed("job.*")).as("b still needs it").isTrue();
        assertThat(bus.all).as("b's delivery was not interrupted").hasSize(subscriptions);

        b.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !subscribed("job.*") && !subscribed("command.*"));
        assertThat(subscribed("client.*")).isTrue();
        a.send("{\"type\":\"unsubscribe\",\"topic\":\"clients\"}").next("unsubscribed");
        assertThat(bus.open()).isEmpty();

        a.send("{\"type\":\"subscribe\",\"topic\":\"jobs\"}").next("subscribed");
        assertThat(subscribed("job.*")).isTrue();
        a.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> bus.open().isEmpty());
    }

    @Test
    void unmountingEndsEverySubscription() throws Exception {
        Client a = new Client();
        a.send("{\"type\":\"subscribe\",\"topic\":\"jobs\"}").next("subscribed");
        assertThat(bus.open()).hasSize(2);
        admin.unmount();
        assertThat(bus.open()).isEmpty();
    }

    /** An admin socket, with the JDK's WebSocket client. */
    private final class Client implements WebSocket.Listener {
        private final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private final WebSocket socket;

        Client() {
            socket = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + KEY)
                    .buildAsync(URI.create(url), this).join();
        }

        Client send(String text) {
            socket.sendText(text, true).join();
            return this;
        }

        JsonNode next(String type) throws InterruptedException {
            while (true) {
                JsonNode message = received.poll(20, TimeUnit.SECONDS);
                assertThat(message).as("a %s message", type).isNotNull();
                if (type.equals(message.path("type").asText())) {
                    return message;
                }
            }
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    received.add(mapper.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    /** Storage that keeps nothing (the audit of refusals is not under test here). */
    private static final class NoStorage implements Storage {
        @Override
        public void set(String namespace, String key, JsonNode value) {
        }

        @Override
        public Optional<JsonNode> get(String namespace, String key) {
            return Optional.empty();
        }

        @Override
        public List<String> listKeys(String namespace) {
            return List.of();
        }

        @Override
        public boolean delete(String namespace, String key) {
            return false;
        }
    }
}
