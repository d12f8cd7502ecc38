package org.homeconsole.connector.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.homeconsole.testsupport.PostgresSupport;
import org.junit.jupiter.api.Test;

/** The storage contract on a real PostgreSQL found by {@link PostgresSupport}; one schema per test. */
class PostgresStorageAdapterIT extends StorageAdapterContract {

    private int closedPort;

    @Override
    protected String freshUrl() {
        return PostgresSupport.jdbcUrlForFreshSchema("storage_it");
    }

    @Override
    protected String unreachableUrl() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        return "jdbc:postgresql://127.0.0.1:" + closedPort + "/homeconsole?user=hc&password=s3cret";
    }

    @Override
    protected String unreachableLocation() {
        return "jdbc:postgresql://127.0.0.1:" + closedPort + "/homeconsole?user=hc&password=****";
    }

    @Override
    protected String describePrefix() {
        return "postgresql://";
    }

    @Test
    void shouldCreateTheSchemaNamedInTheUrlWithAJsonbTable() throws Exception {
        // given a storage started on a schema that did not exist
        String schema = url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());

        // when
        String valueType;
        try (Connection connection = DriverManager.getConnection(PostgresSupport.jdbcUrl());
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT data_type FROM information_schema.columns"
                     + " WHERE table_schema = '" + schema + "' AND table_name = 'hc_storage' AND column_name = 'value'")) {
            valueType = result.next() ? result.getString(1) : null;
        }

        // then
        assertThat(valueType).isEqualTo("jsonb");
    }
}
