package org.homeconsole.bench.clientmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.homeconsole.agent.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Home Console node under test, as its own JVM started the way {@code bin/homeconsole run} starts it
 * ({@code java -cp 'dist/target/lib/*' org.homeconsole.runtime.HomeConsole} from the repository root), on a fresh
 * data directory, loopback only, with the client manager standalone on its own port. Setup calls (tokens, health)
 * go through a plain {@link HttpClient}; the measured load does not.
 */
final class Node implements AutoCloseable {

    static final String MAIN_CLASS = "org.homeconsole.runtime.HomeConsole";
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration AGENTS_TIMEOUT = Duration.ofSeconds(300);

    /**
     * @param root the repository root (working directory, routes)
     * @param classpath the distribution's jars
     * @param jvmOptions heap and GC settings, the same for every server compared
     * @param env extra environment (e.g. CLIENT_MANAGER_HEARTBEAT_INTERVAL_MS)
     */
    record Settings(Path root, String classpath, List<String> jvmOptions, int httpPort, int kafkaPort, int cmPort,
            Map<String, String> env, Path workDir) {
    }

    private final Settings settings;
    private final ChildJvm process;
    private final Path dataDir;
    private final String adminKey;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private Node(Settings settings, ChildJvm process, Path dataDir, String adminKey) {
        this.settings = settings;
        this.process = process;
        this.dataDir = dataDir;
        this.adminKey = adminKey;
    }

    /** Starts the node on a new data directory and waits until {@code /ready} and the client manager's health answer 200. */
    static Node start(Settings settings, String tag) {
        try {
            Files.createDirectories(settings.workDir());
            Path dataDir = Files.createTempDirectory(settings.workDir(), tag + "-data-");
            // nodes of one cluster share their admin key (settings.env() gives it); a lone node gets one of its own
            String adminKey = settings.env().getOrDefault("HOMECONSOLE_ADMIN_API_KEY",
                    "bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-admin-key");
            Map<String, String> env = new HashMap<>();
            // settings of the machine's environment must not leak into the measured node
            for (String unset : List.of("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "CLIENT_MANAGER_MODE", "CLIENT_MANAGER_WS_PREFIX",
                    "CLIENT_MANAGER_HEARTBEAT_TIMEOUT_MS", "CLIENT_MANAGER_HELLO_TIMEOUT_MS", "CLIENT_MANAGER_MAX_FRAME_BYTES",
                    "CLIENT_MANAGER_MESSAGES_PER_SECOND", "CLIENT_MANAGER_COMMAND_ALLOW", "CLIENT_MANAGER_COMMAND_DENY",
                    "CLIENT_MANAGER_HEARTBEAT_INTERVAL_MS")) {
                env.put(unset, null);
            }
            env.put("HOMECONSOLE_DATA_DIR", dataDir.toString());
            env.put("HOMECONSOLE_PLUGINS_DIR", dataDir.resolve("plugins").toString());
            env.put("HOMECONSOLE_ROUTES_DIR", settings.root().resolve("routes").toString());
            env.put("HOMECONSOLE_HTTP_HOST", "127.0.0.1");
            env.put("HOMECONSOLE_HTTP_PORT", Integer.toString(settings.httpPort()));
            env.put("HOMECONSOLE_KAFKA_PORT", Integer.toString(settings.kafkaPort()));
            env.put("HOMECONSOLE_ADMIN_API_KEY", adminKey);
            env.put("CLIENT_MANAGER_HOST", "127.0.0.1");
            env.put("CLIENT_MANAGER_PORT", Integer.toString(settings.cmPort()));
            env.putAll(settings.env());
            ChildJvm process = ChildJvm.start("node " + tag, settings.jvmOptions(), settings.classpath(), MAIN_CLASS, List.of(),
                    env, settings.root(), settings.workDir().resolve(tag + "-node.log"));
            Node node = new Node(settings, process, dataDir, adminKey);
            long started = System.nanoTime();
            node.awaitStatus("http://127.0.0.1:" + settings.httpPort() + "/ready", 200);
            node.awaitStatus("http://127.0.0.1:" + settings.cmPort() + "/api/health", 200);
            LOG.info("Node {} ready in {} ms (pid {}, client manager on 127.0.0.1:{})", tag,
                    (System.nanoTime() - started) / 1_000_000, process.pid(), settings.cmPort());
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    ChildJvm process() {
        return process;
    }

    String adminKey() {
        return adminKey;
    }

    URI agentUrl() {
        return URI.create("ws://127.0.0.1:" + settings.cmPort() + "/ws");
    }

    String restBase() {
        return "http://127.0.0.1:" + settings.cmPort() + "/api";
    }

    /** Issues tokens for agents {@code <prefix>00000...}, {@code concurrency} requests at a time. */
    List<Credentials> issueTokens(int count, String prefix, int concurrency) {
        long started = System.nanoTime();
        Semaphore slots = new Semaphore(concurrency);
        List<CompletableFuture<Credentials>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String agentId = String.format("%s%05d", prefix, i);
            slots.acquireUninterruptibly();
            all.add(issue(agentId, 1).whenComplete((r, e) -> slots.release()));
        }
        List<Credentials> credentials = all.stream().map(CompletableFuture::join).toList();
        LOG.info("Issued {} agent tokens in {} ms", count, (System.nanoTime() - started) / 1_000_000);
        return credentials;
    }

    /** One token; a request that fails on the way (not an HTTP error) is tried again, up to 3 times: issuing replaces. */
    private CompletableFuture<Credentials> issue(String agentId, int attempt) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(restBase() + "/tokens")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"agent_id\":\"" + agentId + "\"}")).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
            if (e != null) {
                if (attempt >= 3) {
                    throw new IllegalStateException("POST /api/tokens for " + agentId + " failed " + attempt + " times: " + e, e);
                }
                LOG.warn("POST /api/tokens for {} failed ({}); trying again", agentId, e.toString());
                return issue(agentId, attempt + 1);
            }
            if (r.statusCode() != 201) {
                throw new IllegalStateException("POST /api/tokens for " + agentId + ": HTTP " + r.statusCode() + " " + r.body());
            }
            try {
                return CompletableFuture.completedFuture(new Credentials(agentId, MAPPER.readTree(r.body()).get("token").asText()));
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
        }).thenCompose(f -> f);
    }

    /** Agents with a session on the node now ({@code GET /api/health}, which needs no key and lists nothing). */
    int agentsConnected() {
        JsonNode health = getJson(restBase() + "/health");
        return health.path("agents_connected").asInt(-1);
    }

    /** Waits until {@code count} agents of {@code fleet} have a session on this node (5 minutes at most), then 3 s more. */
    void awaitAgents(ChildJvm fleet, int count) {
        long started = System.nanoTime();
        long deadline = started + AGENTS_TIMEOUT.toNanos();
        int connected = 0;
        while (System.nanoTime() - deadline < 0) {
            fleet.requireAlive();
            connected = agentsConnected();
            if (connected >= count) {
                LOG.info("{} agents connected after {} s", connected, (System.nanoTime() - started) / 1_000_000_000);
                sleep(3_000);
                return;
            }
            sleep(1_000);
        }
        throw new IllegalStateException("only " + connected + " of " + count + " agents connected within "
                + AGENTS_TIMEOUT.toSeconds() + " s; end of the agents' log:\n" + fleet.tail(20));
    }

    JsonNode getJson(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + adminKey).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + ": HTTP " + r.statusCode() + " " + r.body());
            }
            return MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitStatus(String url, int status) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int last = -1;
        while (System.nanoTime() - deadline < 0) {
            process.requireAlive();
            try {
                last = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == status) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100);
        }
        throw new IllegalStateException(url + " did not answer " + status + " within " + READY_TIMEOUT.toSeconds() + " s (last "
                + last + "); end of the node's log:\n" + process.tail(30));
    }

    @Override
    public void close() {
        process.close();
        try (Stream<Path> paths = Files.walk(dataDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not delete {}: {}", dataDir, e.toString());
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
