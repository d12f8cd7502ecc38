package org.homeconsole.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import redis.embedded.RedisServer;

/**
 * A real Redis for tests, found once per JVM in this order (DESIGN.md A5):
 * <ol>
 *   <li>{@value #REDIS_URL}, a {@code redis://host:port[/db]} URI, as system property or environment variable;</li>
 *   <li>Testcontainers {@code redis:7}, when a Docker engine answers;</li>
 *   <li>a server already listening on {@code 127.0.0.1:6379} that answers {@code PING} (skipped when
 *       {@value #SKIP_LOCAL}{@code =true});</li>
 *   <li>embedded-redis (the real {@code redis-server} binary it bundles, or {@code /usr/bin/redis-server} when the
 *       bundled one cannot run here) on a free port, stopped by a shutdown hook.</li>
 * </ol>
 * Tests share that server and isolate themselves by key prefix ({@link #uniqueKeyPrefix(String)}); on a configured or
 * local server the keys under the prefixes handed out are deleted when the JVM exits. A test that needs to stop and
 * restart Redis takes a server of its own: {@link #startPrivate()}.
 */
public final class RedisSupport {

    /** A {@code redis://} URI to use instead of looking for a server. */
    public static final String REDIS_URL = "HOMECONSOLE_TEST_REDIS_URL";
    /** {@code true} to skip the server on 127.0.0.1:6379, e.g. to try the embedded fallback. */
    public static final String SKIP_LOCAL = "HOMECONSOLE_TEST_REDIS_SKIP_LOCAL";

    private static final Logger LOG = LoggerFactory.getLogger(RedisSupport.class);
    private static final String CONTAINER_IMAGE = "redis:7";
    private static final Path SYSTEM_BINARY = Path.of("/usr/bin/redis-server");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);
    private static final Set<String> PREFIXES_HANDED_OUT = ConcurrentHashMap.newKeySet();

    private RedisSupport() {
    }

    /** The shared server's URI ({@code redis://host:port[/db]}), finding or starting it on first call. */
    public static String redisUri() {
        return Server.INSTANCE.uri;
    }

    /** Where the shared server came from, e.g. {@code local server redis://127.0.0.1:6379}. */
    public static String describe() {
        return Server.INSTANCE.description;
    }

    /**
     * A key prefix no other test of this run (nor of an earlier run against the same server) uses:
     * {@code <name>:<run>:<n>:}. Keys under it are deleted at JVM exit when the server outlives the tests.
     */
    public static String uniqueKeyPrefix(String name) {
        String safe = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        String prefix = (safe.isEmpty() ? "t" : safe) + ":" + RUN_ID + ":" + SEQUENCE.incrementAndGet() + ":";
        PREFIXES_HANDED_OUT.add(prefix);
        return prefix;
    }

    /**
     * Starts a Redis server that belongs to the calling test, on a free port, without persistence: after
     * {@link PrivateRedis#stop()} and {@link PrivateRedis#start()} it answers on the same port with no keys, as a
     * production Redis restarted without persistence would. Close it when done.
     */
    public static PrivateRedis startPrivate() {
        PrivateRedis redis = new PrivateRedis(TestNodes.freePort());
        redis.start();
        return redis;
    }

    /** A Redis server owned by one test: stop it, start it again on the same port (its data gone), close it. */
    public static final class PrivateRedis implements AutoCloseable {
        private final int port;
        private final Path dir;
        private RedisServer server;
        private String binary;

        private PrivateRedis(int port) {
            this.port = port;
            try {
                this.dir = Files.createTempDirectory("homeconsole-test-redis-");
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a directory for a test Redis", e);
            }
        }

        /** {@code redis://127.0.0.1:<port>}; the same before and after a restart. */
        public String uri() {
            return "redis://127.0.0.1:" + port;
        }

        public int port() {
            return port;
        }

        /** The redis-server binary this server runs. */
        public synchronized String binary() {
            return binary;
        }

        public synchronized boolean isRunning() {
            return server != null && server.isActive();
        }

        /** Starts the server (again) on its port; nothing it held before a stop is there. */
        public synchronized void start() {
            if (isRunning()) {
                return;
            }
            Started started = startServer(port, dir);
            server = started.server();
            binary = started.binary();
        }

        /** Stops the server like a crash of a Redis without persistence: its data is gone. */
        public synchronized void stop() {
            if (server == null) {
                return;
            }
            try {
                server.stop();
            } catch (IOException e) {
                throw new UncheckedIOException("Test Redis on port " + port + " did not stop", e);
            } finally {
                server = null;
            }
            awaitPortClosed(port);
        }

        @Override
        public synchronized void close() {
            stop();
            deleteQuietly(dir);
        }
    }

    /** Found on first use; the JVM keeps it until exit. */
    private static final class Server {
        static final Server INSTANCE = find();

        final String uri;
        final String description;

        private Server(String uri, String description) {
            this.uri = uri;
            this.description = description;
        }

        private static Server find() {
            Server server = Stream.<Supplier<Server>>of(Server::configured, Server::container, Server::local)
                    .map(Supplier::get)
                    .filter(Objects::nonNull)
                    .findFirst()
                    .orElseGet(Server::embedded);
            LOG.info("Tests use Redis from {}", server.description);
            return server;
        }

        private static Server configured() {
            String uri = setting(REDIS_URL);
            if (uri == null || uri.isBlank()) {
                return null;
            }
            uri = uri.trim();
            if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
                throw new IllegalStateException(REDIS_URL + " must be a redis:// or rediss:// URI");
            }
            Server server = new Server(uri, REDIS_URL + " (" + withoutCredentials(uri) + ")");
            if (uri.startsWith("redis://")) {
                URI parsed = URI.create(uri);
                String password = passwordOf(parsed);
                int db = dbOf(parsed);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deletePrefixes(parsed.getHost(),
                        parsed.getPort() < 0 ? 6379 : parsed.getPort(), password, db), "redis-support-cleanup"));
            }
            return server;
        }

        private static Server container() {
            try {
                if (!DockerClientFactory.instance().isDockerAvailable()) {
                    LOG.info("No Docker engine answers; not using Testcontainers for Redis");
                    return null;
                }
                @SuppressWarnings("resource") // stopped by Testcontainers' reaper when the JVM exits
                GenericContainer<?> container = new GenericContainer<>(CONTAINER_IMAGE).withExposedPorts(6379);
                container.start();
                String uri = "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
                return new Server(uri, "Testcontainers " + CONTAINER_IMAGE + " (" + uri + ")");
            } catch (RuntimeException e) {
                LOG.warn("Docker answers but the {} container did not start; trying the next source", CONTAINER_IMAGE, e);
                return null;
            }
        }

        private static Server local() {
            if (Boolean.parseBoolean(setting(SKIP_LOCAL))) {
                LOG.info("Skipping a local Redis server ({}=true)", SKIP_LOCAL);
                return null;
            }
            try (Resp resp = Resp.connect("127.0.0.1", 6379, 500)) {
                Object pong = resp.call("PING");
                if (!"PONG".equals(pong)) {
                    LOG.info("Something listens on 127.0.0.1:6379 but answers PING with {}", pong);
                    return null;
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("No Redis answers on 127.0.0.1:6379: {}", e.toString());
                return null;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deletePrefixes("127.0.0.1", 6379, null, 0),
                    "redis-support-cleanup"));
            return new Server("redis://127.0.0.1:6379", "local server (redis://127.0.0.1:6379)");
        }

        private static Server embedded() {
            int port = TestNodes.freePort();
            Path dir;
            try {
                dir = Files.createTempDirectory("homeconsole-test-redis-");
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a directory for the embedded Redis", e);
            }
            Started started = startServer(port, dir);
            RedisServer server = started.server();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.stop();
                } catch (IOException e) {
                    LOG.warn("Embedded Redis did not stop cleanly", e);
                }
                deleteQuietly(dir);
            }, "embedded-redis-stop"));
            String uri = "redis://127.0.0.1:" + port;
            return new Server(uri, "embedded-redis (" + uri + ", " + started.binary() + ")");
        }
    }

    /**
     * Starts redis-server on {@code port} with no persistence and its working files in {@code dir}: the binary
     * embedded-redis bundles, or {@link #SYSTEM_BINARY} when that one does not start here.
     */
    private static Started startServer(int port, Path dir) {
        IOException bundledFailure;
        try {
            RedisServer server = build(port, dir, null);
            server.start();
            return new Started(server, "bundled redis-server");
        } catch (IOException | RuntimeException e) {
            bundledFailure = e instanceof IOException io ? io : new IOException(e);
            LOG.info("embedded-redis's bundled redis-server did not start on port {} ({}); trying {}", port,
                    e.getMessage(), SYSTEM_BINARY);
        }
        if (!Files.isExecutable(SYSTEM_BINARY)) {
            throw new IllegalStateException("No Redis for tests: none configured in " + REDIS_URL
                    + ", no Docker, none on 127.0.0.1:6379, embedded-redis's binary did not start and there is no "
                    + SYSTEM_BINARY, bundledFailure);
        }
        try {
            RedisServer server = build(port, dir, SYSTEM_BINARY.toFile());
            server.start();
            return new Started(server, SYSTEM_BINARY.toString());
        } catch (IOException e) {
            e.addSuppressed(bundledFailure);
            throw new IllegalStateException("No Redis for tests: neither embedded-redis's binary nor " + SYSTEM_BINARY
                    + " started on port " + port, e);
        }
    }

    private record Started(RedisServer server, String binary) {
    }

    private static RedisServer build(int port, Path dir, File binary) throws IOException {
        var builder = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("dir " + dir.toAbsolutePath())
                .setting("save \"\"")
                .setting("appendonly no")
                .setting("protected-mode no")
                .onShutdownForceStop(true);
        if (binary != null) {
            builder.executableProvider(() -> binary);
        }
        return builder.build();
    }

    private static void awaitPortClosed(int port) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            } catch (IOException e) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("Something still answers on port {} after the test Redis stopped", port);
    }

    /** Best effort: keys left behind are litter, not a failure. */
    private static void deletePrefixes(String host, int port, String password, int db) {
        List<String> prefixes = List.copyOf(PREFIXES_HANDED_OUT);
        if (prefixes.isEmpty()) {
            return;
        }
        try (Resp resp = Resp.connect(host, port, 2000)) {
            if (password != null) {
                resp.call("AUTH", password);
            }
            if (db != 0) {
                resp.call("SELECT", String.valueOf(db));
            }
            long deleted = 0;
            for (String prefix : prefixes) {
                String cursor = "0";
                do {
                    List<?> reply = (List<?>) resp.call("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
                    cursor = (String) reply.get(0);
                    List<?> keys = (List<?>) reply.get(1);
                    if (!keys.isEmpty()) {
                        List<String> command = new ArrayList<>(keys.size() + 1);
                        command.add("UNLINK");
                        keys.forEach(k -> command.add((String) k));
                        deleted += (Long) resp.call(command.toArray(String[]::new));
                    }
                } while (!"0".equals(cursor));
            }
            LOG.debug("Deleted {} test keys under {} prefixes", deleted, prefixes.size());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not delete test keys under {}: {}", prefixes, e.toString());
        }
    }

    private static String passwordOf(URI uri) {
        String info = uri.getUserInfo();
        if (info == null || info.isEmpty()) {
            return null;
        }
        int colon = info.indexOf(':');
        return colon < 0 ? info : info.substring(colon + 1);
    }

    private static int dbOf(URI uri) {
        String path = uri.getPath();
        if (path == null || path.length() <= 1) {
            return 0;
        }
        try {
            return Integer.parseInt(path.substring(1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String withoutCredentials(String uri) {
        return uri.replaceAll("//[^@/]*@", "//");
    }

    private static String setting(String name) {
        String value = System.getProperty(name);
        return value != null ? value : System.getenv(name);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("Could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.debug("Could not delete {}: {}", dir, e.toString());
        }
    }

    /** Just enough of RESP2 to probe and clean a server without a client library. */
    private static final class Resp implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Resp(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        static Resp connect(String host, int port, int timeoutMillis) throws IOException {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(host, port), timeoutMillis);
                socket.setSoTimeout(Math.max(timeoutMillis, 2000));
                return new Resp(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        Object call(String... args) throws IOException {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                request.writeBytes(bytes);
                request.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.write(request.toByteArray());
            out.flush();
            return read();
        }

        private Object read() throws IOException {
            int type = in.read();
            String line = line();
            switch (type) {
                case '+':
                    return line;
                case '-':
                    throw new IOException("Redis error: " + line);
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int length = Integer.parseInt(line);
                    if (length < 0) {
                        return null;
                    }
                    byte[] bytes = in.readNBytes(length + 2);
                    return new String(bytes, 0, length, StandardCharsets.UTF_8);
                }
                case '*': {
                    int count = Integer.parseInt(line);
                    if (count < 0) {
                        return null;
                    }
                    List<Object> items = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        items.add(read());
                    }
                    return items;
                }
                case -1:
                    throw new IOException("Redis closed the connection");
                default:
                    throw new IOException("Not a RESP reply (type byte " + type + ")");
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                if (c == -1) {
                    throw new IOException("Redis closed the connection");
                }
                line.append((char) c);
            }
            in.read(); // \n
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
