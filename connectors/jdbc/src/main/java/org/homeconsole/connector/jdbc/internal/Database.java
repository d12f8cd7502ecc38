package org.homeconsole.connector.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One database behind the JDBC storage adapter: how to reach it, how to create the table, and the SQL that
 * differs between dialects. Statements common to both dialects live in the adapter.
 */
public interface Database {

    /** Work done on a borrowed connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** A short name without credentials, e.g. {@code sqlite:/data/homeconsole.db}. */
    String describe();

    /** Connects and creates {@code hc_storage} when missing. */
    void open() throws Exception;

    /** Runs {@code work} on a connection in auto-commit mode; the connection must not escape. */
    <T> T withConnection(SqlWork<T> work) throws SQLException;

    /** {@code INSERT ... ON CONFLICT DO UPDATE} taking namespace, key and the value as JSON text. */
    String upsertSql();

    void close();
}
