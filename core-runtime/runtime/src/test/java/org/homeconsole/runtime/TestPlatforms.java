package org.homeconsole.runtime;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.homeconsole.runtime.config.Settings;
import org.homeconsole.runtime.config.SettingsSource;
import org.homeconsole.testsupport.TestNodes;

/**
 * Starts real platform nodes for tests: real Kafka (KafkaSupport), SQLite in a temp dir unless told
 * otherwise, a free HTTP port, and topic names of their own so tests never see each other's events.
 */
final class TestPlatforms {

    static final String ADMIN_KEY = TestNodes.ADMIN_KEY;
    static final Path REPO_ROUTES = Path.of(System.getProperty("homeconsole.repo.routes", "../../routes")).toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestPlatforms() {
    }

    /** Settings for a fresh node in {@code dir}; override entries before starting. */
    static Map<String, String> settings(Path dir) {
        return TestNodes.settings(dir, REPO_ROUTES);
    }

    static Platform start(Path dir, Map<String, String> values) {
        return Platform.start(Settings.load(SettingsSource.of(values), dir));
    }

    static int freePort() {
        return TestNodes.freePort();
    }

    static String base(Platform platform) {
        return "http://127.0.0.1:" + platform.settings().httpPort();
    }

    static HttpResponse<String> get(Platform platform, String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(platform) + path)).timeout(Duration.ofSeconds(10)).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(Platform platform, String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(platform) + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
