package org.homeconsole.connector.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.postgresql.Driver;

/**
 * PostgreSQL through a small HikariCP pool. Values are {@code JSONB}.
 *
 * <p>The first schema of {@code currentSchema} in the URL is created when missing, so that tests (and
 * installations sharing a database) can isolate themselves by schema. User and password come from the
 * URL query, as the PostgreSQL driver reads them.
 */
public final class PostgresDatabase implements Database {

    private static final int MAX_POOL_SIZE = 8;
    private static final long CONNECTION_TIMEOUT_MS = 5_000;
    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    private static final Pattern QUOTED_IDENTIFIER = Pattern.compile("\"(?:[^\"]|\"\")+\"");
    private static final AtomicInteger POOL_SEQUENCE = new AtomicInteger();

    private final String url;
    private final String description;
    private final String schema;
    private volatile HikariDataSource pool;

    public PostgresDatabase(String url) {
        Properties parsed = Driver.parseURL(url, null);
        if (parsed == null) {
            throw new IllegalArgumentException("url is not a valid PostgreSQL JDBC URL: " + JdbcUrls.mask(url));
        }
        this.url = url;
        this.description = describe(parsed);
        this.schema = schemaToCreate(parsed.getProperty("currentSchema"));
    }

    private static String describe(Properties parsed) {
        String[] hosts = parsed.getProperty("PGHOST", "localhost").split(",");
        String[] ports = parsed.getProperty("PGPORT", "5432").split(",");
        StringBuilder text = new StringBuilder("postgresql://");
        for (int i = 0; i < hosts.length; i++) {
            text.append(i == 0 ? "" : ",").append(hosts[i]).append(':').append(i < ports.length ? ports[i] : "5432");
        }
        return text.append('/').append(parsed.getProperty("PGDBNAME", "")).toString();
    }

    /**
     * The schema to create, written as SQL, or {@code null}. The driver hands {@code currentSchema} to the
     * server as {@code search_path} verbatim, so a plain name folds to lower case and a quoted one does not.
     */
    private static String schemaToCreate(String currentSchema) {
        if (currentSchema == null || currentSchema.isBlank()) {
            return null;
        }
        String first = currentSchema.split(",")[0].trim();
        if (PLAIN_IDENTIFIER.matcher(first).matches()) {
            return '"' + first.toLowerCase(Locale.ROOT) + '"';
        }
        return QUOTED_IDENTIFIER.matcher(first).matches() ? first : null;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void open() throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setPoolName("homeconsole-storage-" + POOL_SEQUENCE.incrementAndGet());
        config.setDriverClassName(Driver.class.getName());
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(MAX_POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        pool = new HikariDataSource(config);
        try (Connection connection = pool.getConnection()) {
            createTable(connection);
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void createTable(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            // IF NOT EXISTS still races when two nodes start at once; a transaction-scoped lock serialises them
            statement.execute("SELECT pg_advisory_xact_lock(hashtext('homeconsole.hc_storage'))");
            if (schema != null) {
                statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            }
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS hc_storage (
                        namespace  TEXT        NOT NULL,
                        key        TEXT        NOT NULL,
                        value      JSONB       NOT NULL,
                        updated_at TIMESTAMPTZ NOT NULL,
                        PRIMARY KEY (namespace, key)
                    )""");
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    @Override
    public <T> T withConnection(SqlWork<T> work) throws SQLException {
        HikariDataSource current = pool;
        if (current == null) {
            throw new SQLException("connection pool is closed");
        }
        try (Connection connection = current.getConnection()) {
            return work.run(connection);
        }
    }

    @Override
    public String upsertSql() {
        return """
                INSERT INTO hc_storage (namespace, key, value, updated_at)
                VALUES (?, ?, CAST(? AS JSONB), now())
                ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at""";
    }

    @Override
    public void close() {
        HikariDataSource current = pool;
        pool = null;
        if (current != null) {
            current.close();
        }
    }
}
