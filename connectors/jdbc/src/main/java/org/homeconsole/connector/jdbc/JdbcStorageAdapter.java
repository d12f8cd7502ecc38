package org.homeconsole.connector.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.homeconsole.api.storage.StorageAdapter;
import org.homeconsole.api.storage.StorageException;
import org.homeconsole.connector.jdbc.internal.Database;
import org.homeconsole.connector.jdbc.internal.JdbcUrls;
import org.homeconsole.connector.jdbc.internal.PostgresDatabase;
import org.homeconsole.connector.jdbc.internal.SqliteDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link StorageAdapter} on one JDBC table, {@code hc_storage (namespace, key, value, updated_at)}, in SQLite
 * ({@code jdbc:sqlite:<path>}, the embedded default) or PostgreSQL ({@code jdbc:postgresql://...}).
 *
 * <p>Lifecycle: {@link #start()} once, then any number of calls from any thread, then {@link #close()}; a
 * closed adapter does not start again. Values are stored as JSON text (SQLite) or {@code JSONB}
 * (PostgreSQL). PostgreSQL rejects the character U+0000 inside JSONB strings, so such values fail there.
 */
public final class JdbcStorageAdapter implements StorageAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcStorageAdapter.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_NAME_LENGTH = 255;

    private enum State { NEW, STARTED, CLOSED }

    private final String maskedUrl;
    private final Database database;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

    /**
     * An adapter for a {@code jdbc:sqlite:} or {@code jdbc:postgresql:} URL; nothing is opened before
     * {@link #start()}.
     *
     * @throws IllegalArgumentException when the URL is for neither
     */
    public JdbcStorageAdapter(String url) {
        Objects.requireNonNull(url, "url");
        this.maskedUrl = JdbcUrls.mask(url);
        if (JdbcUrls.isSqlite(url)) {
            this.database = new SqliteDatabase(url);
        } else if (JdbcUrls.isPostgresql(url)) {
            this.database = new PostgresDatabase(url);
        } else {
            throw new IllegalArgumentException("url must start with jdbc:sqlite: or jdbc:postgresql:, was " + maskedUrl);
        }
    }

    /** Whether {@link #JdbcStorageAdapter(String)} accepts this URL. */
    public static boolean supports(String url) {
        return url != null && (JdbcUrls.isSqlite(url) || JdbcUrls.isPostgresql(url));
    }

    @Override
    public String describe() {
        return database.describe();
    }

    @Override
    public void start() {
        if (!state.compareAndSet(State.NEW, State.STARTED)) {
            throw new IllegalStateException("storage " + describe() + " was already started");
        }
        try {
            database.open();
        } catch (Exception e) {
            state.set(State.CLOSED);
            throw new StorageException("Cannot start storage on " + maskedUrl + ": " + e.getMessage(), e);
        }
        LOG.info("Storage started on {}", describe());
    }

    @Override
    public boolean isHealthy() {
        if (state.get() != State.STARTED) {
            return false;
        }
        try {
            return database.withConnection(connection -> {
                try (PreparedStatement statement = connection.prepareStatement("SELECT 1");
                     ResultSet result = statement.executeQuery()) {
                    return result.next();
                }
            });
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Storage {} is not healthy: {}", describe(), e.getMessage());
            return false;
        }
    }

    @Override
    public void set(String namespace, String key, JsonNode value) {
        checkName("namespace", namespace);
        checkName("key", key);
        if (value == null) {
            throw new IllegalArgumentException("value must not be null; store JSON null as NullNode.instance");
        }
        String json = toJson(value);
        execute("set", namespace, key, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(database.upsertSql())) {
                statement.setString(1, namespace);
                statement.setString(2, key);
                statement.setString(3, json);
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public void setAll(String namespace, Map<String, ? extends JsonNode> values) {
        checkName("namespace", namespace);
        if (values.isEmpty()) {
            return;
        }
        Map<String, String> rows = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            checkName("key", key);
            if (value == null) {
                throw new IllegalArgumentException("value of key '" + key + "' must not be null; store JSON null as NullNode.instance");
            }
            rows.put(key, toJson(value));
        });
        execute("set " + rows.size() + " values in", namespace, null, connection -> {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(database.upsertSql())) {
                for (Map.Entry<String, String> row : rows.entrySet()) {
                    statement.setString(1, namespace);
                    statement.setString(2, row.getKey());
                    statement.setString(3, row.getValue());
                    statement.addBatch();
                }
                statement.executeBatch();
                connection.commit();
                return rows.size();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        });
    }

    @Override
    public Optional<JsonNode> get(String namespace, String key) {
        checkName("namespace", namespace);
        checkName("key", key);
        String json = execute("get", namespace, key, connection -> {
            try (PreparedStatement statement =
                         connection.prepareStatement("SELECT value FROM hc_storage WHERE namespace = ? AND key = ?")) {
                statement.setString(1, namespace);
                statement.setString(2, key);
                try (ResultSet result = statement.executeQuery()) {
                    return result.next() ? result.getString(1) : null;
                }
            }
        });
        return json == null ? Optional.empty() : Optional.of(fromJson(json, namespace, key));
    }

    @Override
    public List<String> listKeys(String namespace) {
        checkName("namespace", namespace);
        List<String> keys = execute("listKeys", namespace, null, connection -> {
            try (PreparedStatement statement =
                         connection.prepareStatement("SELECT key FROM hc_storage WHERE namespace = ?")) {
                statement.setString(1, namespace);
                try (ResultSet result = statement.executeQuery()) {
                    List<String> found = new ArrayList<>();
                    while (result.next()) {
                        found.add(result.getString(1));
                    }
                    return found;
                }
            }
        });
        // sorted here, not by ORDER BY: a database collation would sort differently on SQLite and PostgreSQL
        keys.sort(null);
        return List.copyOf(keys);
    }

    @Override
    public boolean delete(String namespace, String key) {
        checkName("namespace", namespace);
        checkName("key", key);
        int deleted = execute("delete", namespace, key, connection -> {
            try (PreparedStatement statement =
                         connection.prepareStatement("DELETE FROM hc_storage WHERE namespace = ? AND key = ?")) {
                statement.setString(1, namespace);
                statement.setString(2, key);
                return statement.executeUpdate();
            }
        });
        return deleted > 0;
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.STARTED) {
            database.close();
            LOG.info("Storage closed on {}", describe());
        }
    }

    private <T> T execute(String operation, String namespace, String key, Database.SqlWork<T> work) {
        State current = state.get();
        if (current != State.STARTED) {
            throw new IllegalStateException("storage " + describe() + " is " + (current == State.NEW ? "not started" : "closed"));
        }
        try {
            return database.withConnection(work);
        } catch (SQLException e) {
            throw new StorageException("Cannot " + operation + " " + where(namespace, key) + ": " + e.getMessage(), e);
        }
    }

    private String where(String namespace, String key) {
        return "namespace '" + namespace + "'" + (key == null ? "" : " key '" + key + "'") + " in " + describe();
    }

    private static void checkName(String argument, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(argument + " must not be null or empty");
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(
                    argument + " must be at most " + MAX_NAME_LENGTH + " characters, was " + value.length());
        }
    }

    private static String toJson(JsonNode value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private JsonNode fromJson(String json, String namespace, String key) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new StorageException("Cannot read the JSON stored under " + where(namespace, key) + ": "
                    + e.getOriginalMessage(), e);
        }
    }
}
