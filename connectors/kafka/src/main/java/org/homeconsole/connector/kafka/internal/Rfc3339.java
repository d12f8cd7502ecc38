package org.homeconsole.connector.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * RFC 3339 timestamps ({@code ce_time}) written and read without {@code DateTimeFormatter}, which
 * costs several microseconds and a dozen objects per call on the event bus's hot paths.
 *
 * <p>{@link #format} writes exactly what {@link Instant#toString()} writes (UTC, {@code Z}, the
 * fraction in groups of 3 digits, none when zero). {@link #parse} reads the common shapes itself
 * ({@code 2026-01-02T03:04:05Z}, with an optional fraction of 1 to 9 digits and a {@code Z} or
 * {@code ±hh:mm} offset) and hands anything else to {@code java.time}, so that it accepts and
 * rejects exactly what {@link Instant#parse} / {@link OffsetDateTime#parse} do.
 */
public final class Rfc3339 {

    private static final long SECONDS_PER_DAY = 86_400;
    /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the 4-digit years written here */
    private static final long MIN_SECOND = -62_167_219_200L;
    private static final long MAX_SECOND = 253_402_300_800L;

    private Rfc3339() {
    }

    /** {@code time} as RFC 3339 in UTC, as UTF-8 bytes; the same text as {@link Instant#toString()}. */
    public static byte[] format(Instant time) {
        long seconds = time.getEpochSecond();
        if (seconds < MIN_SECOND || seconds >= MAX_SECOND) {
            return time.toString().getBytes(StandardCharsets.UTF_8);
        }
        int nanos = time.getNano();
        int fraction;
        int digits;
        if (nanos == 0) {
            fraction = 0;
            digits = 0;
        } else if (nanos % 1_000_000 == 0) {
            fraction = nanos / 1_000_000;
            digits = 3;
        } else if (nanos % 1_000 == 0) {
            fraction = nanos / 1_000;
            digits = 6;
        } else {
            fraction = nanos;
            digits = 9;
        }
        byte[] out = new byte[20 + (digits == 0 ? 0 : digits + 1)];
        long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
        writeDate(out, days);
        out[10] = 'T';
        digits2(out, 11, secondOfDay / 3600);
        out[13] = ':';
        digits2(out, 14, secondOfDay / 60 % 60);
        out[16] = ':';
        digits2(out, 17, secondOfDay % 60);
        int at = 19;
        if (digits > 0) {
            out[at++] = '.';
            for (int i = at + digits - 1; i >= at; i--) {
                out[i] = (byte) ('0' + fraction % 10);
                fraction /= 10;
            }
            at += digits;
        }
        out[at] = 'Z';
        return out;
    }

    /**
     * Reads an RFC 3339 timestamp.
     *
     * @throws DateTimeException when it is not one (as {@code java.time} would)
     */
    public static Instant parse(byte[] text) {
        Instant fast = parseCommon(text);
        return fast != null ? fast : parseSlow(new String(text, StandardCharsets.UTF_8));
    }

    /** Like {@link #parse(byte[])}, for text read from JSON (structured mode). */
    public static Instant parse(String text) {
        Instant fast = text.length() <= 35 ? parseCommon(text.getBytes(StandardCharsets.ISO_8859_1)) : null;
        return fast != null ? fast : parseSlow(text);
    }

    private static Instant parseSlow(String text) {
        return text.endsWith("Z") ? Instant.parse(text) : OffsetDateTime.parse(text).toInstant();
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±hh:mm)}, or {@code null} for anything else (even if valid). */
    private static Instant parseCommon(byte[] s) {
        int length = s.length;
        if (length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') {
            return null;
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 2);
        int day = number(s, 8, 2);
        int hour = number(s, 11, 2);
        int minute = number(s, 14, 2);
        int second = number(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (s[at] == '.') {
            int start = ++at;
            while (at < length && s[at] >= '0' && s[at] <= '9') {
                at++;
            }
            int digits = at - start;
            if (digits < 1 || digits > 9) {
                return null;
            }
            nanos = number(s, start, digits);
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (at == length - 1 && (s[at] == 'Z' || s[at] == 'z')) {
            offsetSeconds = 0;
        } else if (at == length - 6 && (s[at] == '+' || s[at] == '-') && s[at + 3] == ':') {
            int offsetHours = number(s, at + 1, 2);
            int offsetMinutes = number(s, at + 4, 2);
            if (offsetHours < 0 || offsetHours > 17 || offsetMinutes < 0 || offsetMinutes > 59) {
                return null;
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (s[at] == '-' ? -1 : 1);
        } else {
            return null;
        }
        long epochSecond = epochDay(year, month, day) * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** The decimal number in {@code s[from, from + digits)}, or -1 when a character is not a digit. */
    private static int number(byte[] s, int from, int digits) {
        int value = 0;
        for (int i = from; i < from + digits; i++) {
            int digit = s[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static boolean isLeap(int year) {
        return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    /** Writes {@code yyyy-MM-dd} of an epoch day at the start of {@code out} (H. Hinnant's civil_from_days). */
    private static void writeDate(byte[] out, long epochDay) {
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        digits2(out, 0, year / 100);
        digits2(out, 2, year % 100);
        out[4] = '-';
        digits2(out, 5, month);
        out[7] = '-';
        digits2(out, 8, day);
    }

    private static void digits2(byte[] out, int at, int value) {
        out[at] = (byte) ('0' + value / 10);
        out[at + 1] = (byte) ('0' + value % 10);
    }
}
