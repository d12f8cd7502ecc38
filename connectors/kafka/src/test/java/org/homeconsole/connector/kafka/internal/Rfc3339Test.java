package org.homeconsole.connector.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Rfc3339Test {

    @Test
    void shouldFormatExactlyAsInstantToString() {
        // given: whole seconds, millis, micros and nanos, around epoch, leap days and the 4-digit year limits
        SplittableRandom random = new SplittableRandom(42);
        List<Instant> fixed = List.of(Instant.EPOCH, Instant.parse("2024-02-29T23:59:59.999999999Z"),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.1Z"),
                Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("1969-12-31T23:59:59.000001Z"), Instant.parse("2026-11-22T08:48:25.120Z"));

        // when / then
        for (Instant time : fixed) {
            assertThat(new String(Rfc3339.format(time), StandardCharsets.UTF_8)).isEqualTo(time.toString());
        }
        for (int i = 0; i < 100_000; i++) {
            long seconds = random.nextLong(-62_167_219_200L - 1000, 253_402_300_800L + 1000);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant time = Instant.ofEpochSecond(seconds, nanos);
            assertThat(new String(Rfc3339.format(time), StandardCharsets.UTF_8)).isEqualTo(time.toString());
        }
    }

    @Test
    void shouldParseWhatItFormats() {
        // given
        SplittableRandom random = new SplittableRandom(7);

        // when / then
        for (int i = 0; i < 100_000; i++) {
            Instant time = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L), random.nextInt(1_000_000_000));
            assertThat(Rfc3339.parse(Rfc3339.format(time))).isEqualTo(time);
        }
    }

    @Test
    void shouldReadOffsetsFractionsAndLowerCaseAsJavaTimeDoes() {
        // given
        List<String> texts = List.of("2026-01-02T03:04:05+01:00", "2026-01-02T03:04:05-09:30", "2026-01-02t03:04:05z",
                "2026-01-02T03:04:05.1Z", "2026-01-02T03:04:05.123456789+14:00", "2026-01-02T03:04:05.5-00:00",
                "2024-02-29T00:00:00Z", "2026-01-02T03:04:05+18:00", "2026-01-02T03:04:05+01:00:30",
                "2016-12-31T23:59:60Z", "2026-01-02T24:00:00Z", "2026-01-02T03:04:05.Z");

        // when / then
        for (String text : texts) {
            Instant expected = text.endsWith("Z") ? Instant.parse(text) : OffsetDateTime.parse(text).toInstant();
            assertThat(Rfc3339.parse(text)).as(text).isEqualTo(expected);
            assertThat(Rfc3339.parse(text.getBytes(StandardCharsets.UTF_8))).as(text).isEqualTo(expected);
        }
    }

    @Test
    void shouldRejectWhatJavaTimeRejects() {
        // given
        List<String> texts = List.of("2026-02-29T00:00:00Z", "2026-02-29T00:00:00+01:00", "2026-13-01T00:00:00Z",
                "2026-01-02T24:00:00+01:00", "2026-01-02 03:04:05Z", "2026-01-02T03:04:05", "2026-01-02T03:04:05.1234567891Z",
                "yesterday", "");

        // when / then
        for (String text : texts) {
            assertThatThrownBy(() -> Rfc3339.parse(text.getBytes(StandardCharsets.UTF_8))).as(text).isInstanceOf(DateTimeException.class);
        }
    }
}
