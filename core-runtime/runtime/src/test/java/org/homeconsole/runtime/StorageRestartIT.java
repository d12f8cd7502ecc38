package org.homeconsole.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.homeconsole.runtime.TestPlatforms.ADMIN_KEY;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.homeconsole.testsupport.PostgresSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Values stored through the admin API survive a restart of the platform, on SQLite and on PostgreSQL. */
class StorageRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldKeepValuesAcrossRestartOnSqlite() throws Exception {
        assertSurvivesRestart(TestPlatforms.settings(dir));
    }

    @Test
    void shouldKeepValuesAcrossRestartOnPostgres() throws Exception {
        Map<String, String> settings = TestPlatforms.settings(dir);
        settings.put("DATABASE_URL", PostgresSupport.jdbcUrlForFreshSchema("restart"));
        assertSurvivesRestart(settings);
    }

    private void assertSurvivesRestart(Map<String, String> settings) throws Exception {
        // given a value stored through the admin API
        try (Platform first = TestPlatforms.start(dir, settings)) {
            HttpResponse<String> set = TestPlatforms.send(first, "POST", "/api/admin/v1/storage/set", ADMIN_KEY,
                    "{\"namespace\":\"restart\",\"key\":\"answer\",\"value\":{\"n\":42,\"s\":\"héllo\"}}");
            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        }
        // when the platform starts again on the same data
        settings.put("HOMECONSOLE_HTTP_PORT", String.valueOf(TestPlatforms.freePort()));
        try (Platform second = TestPlatforms.start(dir, settings)) {
            // then
            assertThat(second.kernel().storage().get("restart", "answer")).hasValueSatisfying(v ->
                    assertThat(v.toString()).isEqualTo("{\"n\":42,\"s\":\"héllo\"}"));
            HttpResponse<String> get = TestPlatforms.get(second, "/api/admin/v1/storage/restart/answer", ADMIN_KEY);
            assertThat(JSON.readTree(get.body()).path("value").path("n").asInt()).isEqualTo(42);
        }
    }
}
