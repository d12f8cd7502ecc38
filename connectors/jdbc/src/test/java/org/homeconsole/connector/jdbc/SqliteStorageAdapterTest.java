package org.homeconsole.connector.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStorageAdapterTest extends StorageAdapterContract {

    @TempDir
    Path dir;

    @Override
    protected String freshUrl() {
        return "jdbc:sqlite:" + dir.resolve("data/nested/homeconsole.db");
    }

    @Override
    protected String unreachableUrl() {
        return "jdbc:sqlite:/proc/x/db";
    }

    @Override
    protected String unreachableLocation() {
        return "/proc/x/db";
    }

    @Override
    protected String describePrefix() {
        return "sqlite:/";
    }

    @Test
    void shouldCreateTheParentDirectoryAndDescribeTheAbsolutePath() {
        // given a storage started in a directory that did not exist

        // when
        String description = storage.describe();

        // then
        Path file = dir.resolve("data/nested/homeconsole.db");
        assertThat(file).exists();
        assertThat(description).isEqualTo("sqlite:" + file.toAbsolutePath());
    }

    @Test
    void shouldUseWriteAheadLogging() throws Exception {
        // given
        storage.set("devices", "lamp", json("1"));

        // when
        String journalMode;
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("PRAGMA journal_mode")) {
            result.next();
            journalMode = result.getString(1);
        }

        // then
        assertThat(journalMode).isEqualToIgnoringCase("wal");
        assertThat(Files.exists(Path.of(dir + "/data/nested/homeconsole.db-wal"))).isTrue();
    }
}
