package org.homeconsole.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.homeconsole.runtime.admin.AdminKey;
import org.homeconsole.runtime.config.SettingsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up: a busy port is named; with no admin key configured one is generated, kept owner-only and reused. */
class PlatformStartupIT {

    @TempDir
    Path dir;

    @Test
    void shouldNameTheSettingWhenTheHttpPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Map<String, String> settings = TestPlatforms.settings(dir);
            settings.put("HOMECONSOLE_HTTP_PORT", String.valueOf(taken.getLocalPort()));
            settings.put("HOMECONSOLE_HTTP_HOST", "0.0.0.0");
            assertThatThrownBy(() -> TestPlatforms.start(dir, settings))
                    .isInstanceOf(SettingsException.class)
                    .hasMessageContaining("HOMECONSOLE_HTTP_PORT")
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
        }
    }

    @Test
    void shouldNameTheSettingWhenTheDatabaseCannotBeReached() throws Exception {
        Map<String, String> settings = TestPlatforms.settings(dir);
        settings.put("DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + TestPlatforms.freePort() + "/nothing?user=x&password=secret");
        assertThatThrownBy(() -> TestPlatforms.start(dir, settings))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("DATABASE_URL")
                .hasMessageNotContaining("secret");
        // and nothing is left listening
        try (ServerSocket again = new ServerSocket(Integer.parseInt(settings.get("HOMECONSOLE_HTTP_PORT")))) {
            assertThat(again.isBound()).isTrue();
        }
    }

    @Test
    void shouldGenerateAnOwnerOnlyAdminKeyWhenNoneIsConfigured() throws Exception {
        // given no HOMECONSOLE_ADMIN_API_KEY
        Map<String, String> settings = TestPlatforms.settings(dir);
        settings.remove("HOMECONSOLE_ADMIN_API_KEY");
        String key;
        try (Platform platform = TestPlatforms.start(dir, settings)) {
            Path file = dir.resolve("data").resolve(AdminKey.FILE_NAME);
            // then a key was written, readable by the owner only, and it opens the admin API
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            key = Files.readString(file).strip();
            assertThat(key).hasSizeGreaterThanOrEqualTo(40);
            assertThat(TestPlatforms.get(platform, "/api/admin/v1/plugins", key).statusCode()).isEqualTo(200);
            assertThat(TestPlatforms.get(platform, "/api/admin/v1/plugins", null).statusCode()).isEqualTo(401);
        }
        // and the next start keeps it
        settings.put("HOMECONSOLE_HTTP_PORT", String.valueOf(TestPlatforms.freePort()));
        try (Platform again = TestPlatforms.start(dir, settings)) {
            assertThat(TestPlatforms.get(again, "/api/admin/v1/plugins", key).statusCode()).isEqualTo(200);
        }
    }
}
