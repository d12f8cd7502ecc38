package org.homeconsole.connector.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.ServiceLoader;
import org.homeconsole.api.storage.StorageAdapter;
import org.homeconsole.api.storage.StorageAdapterFactory;
import org.homeconsole.api.storage.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JdbcStorageAdapterFactoryTest {

    private final StorageAdapterFactory factory = new JdbcStorageAdapterFactory();

    @Test
    void shouldBeRegisteredForServiceLoader() {
        // given
        ServiceLoader<StorageAdapterFactory> loader = ServiceLoader.load(StorageAdapterFactory.class);

        // when / then
        assertThat(loader.stream().map(ServiceLoader.Provider::type)).contains(JdbcStorageAdapterFactory.class);
    }

    @ParameterizedTest
    @CsvSource({
        "jdbc:sqlite:/data/homeconsole.db, sqlite:/data/homeconsole.db",
        "jdbc:sqlite::memory:, sqlite::memory:",
        "jdbc:postgresql://db.lan:5433/hc?user=hc&password=s3cret, postgresql://db.lan:5433/hc",
        "jdbc:postgresql://db.lan/hc?currentSchema=home, postgresql://db.lan:5432/hc",
    })
    void shouldCreateAnAdapterDescribedWithoutCredentials(String url, String description) {
        // given a JDBC URL of a supported database

        // when
        StorageAdapter adapter = factory.create(url).orElseThrow();

        // then
        assertThat(adapter.describe()).isEqualTo(description);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:mysql://db/hc", "redis://localhost:6379", "sqlite:/data/x.db", ""})
    void shouldDeclineOtherUrls(String url) {
        // given a URL of another database

        // when / then
        assertThat(factory.create(url)).isEmpty();
    }

    @Test
    void shouldMaskThePasswordWhenStartFails() throws Exception {
        // given
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        StorageAdapter adapter = factory.create(
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/hc?user=hc&password=s3cret").orElseThrow();

        // when / then
        assertThatThrownBy(adapter::start)
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageContaining("password=****")
                .hasMessageNotContaining("s3cret");
    }
}
