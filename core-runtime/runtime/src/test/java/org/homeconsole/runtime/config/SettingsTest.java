package org.homeconsole.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void disabledPluginsAreACommaSeparatedList(@org.junit.jupiter.api.io.TempDir Path dir) {
        Settings settings = Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_DISABLED_PLUGINS", " devices, ,other ")), dir);
        assertThat(settings.disabledPlugins()).containsExactlyInAnyOrder("devices", "other");
        assertThat(Settings.load(SettingsSource.of(Map.of()), dir).disabledPlugins()).isEmpty();
    }

    @Test
    void eventPartitionsDefaultToSixAndABadValueIsNamed() {
        assertThat(Settings.load(SettingsSource.of(Map.of()), dir).eventPartitions()).isEqualTo(6);
        assertThat(Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_EVENT_PARTITIONS", "1")), dir).eventPartitions()).isEqualTo(1);
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_EVENT_PARTITIONS", "0")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("HOMECONSOLE_EVENT_PARTITIONS");
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_EVENT_PARTITIONS", "many")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("HOMECONSOLE_EVENT_PARTITIONS").hasMessageContaining("many");
    }

    @Test
    void eventCompressionDefaultsToLz4AndABadValueIsNamed() {
        assertThat(Settings.load(SettingsSource.of(Map.of()), dir).eventCompression()).isEqualTo("lz4");
        assertThat(Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_EVENT_COMPRESSION", "none")), dir).eventCompression())
                .isEqualTo("none");
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_EVENT_COMPRESSION", "brotli")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("HOMECONSOLE_EVENT_COMPRESSION").hasMessageContaining("brotli");
    }

    @Test
    void eventSubscriberThreadsDefaultToTheCoresAndABadValueIsNamed() {
        assertThat(Settings.load(SettingsSource.of(Map.of()), dir).eventSubscriberThreads())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_EVENT_SUBSCRIBER_THREADS", "8")), dir).eventSubscriberThreads())
                .isEqualTo(8);
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_EVENT_SUBSCRIBER_THREADS", "0")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("HOMECONSOLE_EVENT_SUBSCRIBER_THREADS");
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_EVENT_SUBSCRIBER_THREADS", "lots")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("HOMECONSOLE_EVENT_SUBSCRIBER_THREADS")
                .hasMessageContaining("lots");
    }

    @Test
    void shouldUseDocumentedDefaults() {
        // given nothing configured
        // when
        Settings settings = Settings.load(SettingsSource.of(Map.of()), dir);
        // then
        assertThat(settings.httpPort()).isEqualTo(8000);
        assertThat(settings.httpHost()).isEqualTo("0.0.0.0");
        assertThat(settings.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(settings.embeddedKafka()).isTrue();
        assertThat(settings.embeddedKafkaPort()).isEqualTo(9092);
        assertThat(settings.databaseUrl()).isEqualTo("jdbc:sqlite:" + dir.resolve("data/homeconsole.db"));
        assertThat(settings.adminApiKey()).isEmpty();
        assertThat(settings.routesDir()).isEqualTo(dir.resolve("routes"));
        assertThat(settings.serviceCallTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.nodeId()).startsWith("core-");
    }

    @Test
    void shouldPreferEnvironmentOverDotEnvOverPropertiesFile() throws Exception {
        // given
        Files.writeString(dir.resolve("homeconsole.properties"), "homeconsole.http.port=8100\nHOMECONSOLE_KAFKA_PORT=9100\nhomeconsole.node.id=from-file\n");
        Files.writeString(dir.resolve(".env"), "# comment\nexport HOMECONSOLE_HTTP_PORT=8200\nHOMECONSOLE_NODE_ID=\"from-dotenv\"\n");
        // when
        Settings settings = Settings.load(SettingsSource.standard(Map.of("HOMECONSOLE_NODE_ID", "from-env"), dir), dir);
        // then
        assertThat(settings.nodeId()).isEqualTo("from-env");
        assertThat(settings.httpPort()).isEqualTo(8200);
        assertThat(settings.embeddedKafkaPort()).isEqualTo(9100);
    }

    @Test
    void shouldNameTheSettingWhenAPortIsBad() {
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_HTTP_PORT", "eighty")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("HOMECONSOLE_HTTP_PORT").hasMessageContaining("eighty");
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_KAFKA_PORT", "70000")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("HOMECONSOLE_KAFKA_PORT");
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_HTTP_PORT", "9092")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("HOMECONSOLE_KAFKA_PORT");
    }

    @Test
    void shouldNameTheSettingWhenUrlsAreBad() {
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("DATABASE_URL", "mysql://x/y")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("DATABASE_URL");
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_ADMIN_API_KEY", "short")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("HOMECONSOLE_ADMIN_API_KEY");
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("HOMECONSOLE_NODE_ID", "a b")), dir))
                .isInstanceOf(SettingsException.class).hasMessageContaining("HOMECONSOLE_NODE_ID");
    }

    @Test
    void shouldTurnPostgresUrlIntoJdbcWithoutLosingCredentials() {
        Settings settings = Settings.load(SettingsSource.of(Map.of("DATABASE_URL", "postgres://hc:p%40ss@db:5433/homeconsole?sslmode=disable")), dir);
        assertThat(settings.databaseUrl()).isEqualTo("jdbc:postgresql://db:5433/homeconsole?sslmode=disable&user=hc&password=p%40ss");
    }

    @Test
    void shouldMaskPasswordsInMessages() {
        assertThatThrownBy(() -> Settings.load(SettingsSource.of(Map.of("DATABASE_URL", "mysql://u:secret@x/y")), dir))
                .hasMessageNotContaining("secret");
    }

    @Test
    void shouldFailOnUnreadableDotEnvLine() throws Exception {
        Files.writeString(dir.resolve(".env"), "JUSTAWORD\n");
        assertThatThrownBy(() -> SettingsSource.standard(Map.of(), dir)).isInstanceOf(SettingsException.class).hasMessageContaining(".env");
    }
}
