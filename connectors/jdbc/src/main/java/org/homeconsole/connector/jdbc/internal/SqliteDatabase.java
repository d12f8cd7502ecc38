package org.homeconsole.connector.jdbc.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * SQLite through one connection guarded by a lock.
 *
 * <p>One connection because SQLite allows one writer at a time anyway: queuing writers on a lock in the JVM
 * means they never meet {@code SQLITE_BUSY}, and an in-memory database stays one database. Reads take the
 * same lock; they last microseconds. WAL and {@code busy_timeout} are still set for other processes that
 * open the same file (a backup, the {@code sqlite3} shell).
 */
public final class SqliteDatabase implements Database {

    private static final int BUSY_TIMEOUT_MS = 10_000;

    private final String url;
    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection;

    public SqliteDatabase(String url) {
        this.url = url;
        this.file = fileOf(url);
    }

    /** The database file, or {@code null} for an in-memory database. */
    static Path fileOf(String url) {
        String location = url.substring(JdbcUrls.SQLITE_PREFIX.length());
        if (location.startsWith("file:")) {
            location = location.substring("file:".length());
        }
        int query = location.indexOf('?');
        if (query >= 0) {
            location = location.substring(0, query);
        }
        if (location.isEmpty() || location.equals(":memory:") || location.startsWith(":resource:")) {
            return null;
        }
        return Path.of(location).toAbsolutePath().normalize();
    }

    @Override
    public String describe() {
        return "sqlite:" + (file == null ? ":memory:" : file.toString());
    }

    @Override
    public void open() throws IOException, SQLException {
        if (file != null && file.getParent() != null) {
            try {
                Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw new IOException("cannot create directory " + file.getParent() + " (" + e + ")", e);
            }
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        // FULL, not NORMAL: the Storage contract says a write is durable when set() returns, power cut included
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl(url);
        lock.lock();
        try {
            connection = dataSource.getConnection();
            try (Statement statement = connection.createStatement()) {
                statement.execute("""
                        CREATE TABLE IF NOT EXISTS hc_storage (
                            namespace  TEXT NOT NULL,
                            key        TEXT NOT NULL,
                            value      TEXT NOT NULL,
                            updated_at TEXT NOT NULL,
                            PRIMARY KEY (namespace, key)
                        )""");
            }
        } catch (SQLException e) {
            close();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public <T> T withConnection(SqlWork<T> work) throws SQLException {
        lock.lock();
        try {
            if (connection == null) {
                throw new SQLException("connection is closed");
            }
            return work.run(connection);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String upsertSql() {
        return """
                INSERT INTO hc_storage (namespace, key, value, updated_at)
                VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at""";
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // closing: nothing left to do with this connection
        } finally {
            connection = null;
            lock.unlock();
        }
    }
}
