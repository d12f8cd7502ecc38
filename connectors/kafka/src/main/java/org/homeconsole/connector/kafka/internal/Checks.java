package org.homeconsole.connector.kafka.internal;

import java.time.Duration;
import java.util.regex.Pattern;

/** Validation of settings, with messages that name the field. */
public final class Checks {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private Checks() {
    }

    public static void notBlank(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Kafka setting '" + field + "' must not be blank");
        }
    }

    /** Node ids end up in topic and consumer group names, so they obey the same rules. */
    public static void nodeId(String field, String value) {
        notBlank(field, value);
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("Kafka setting '" + field + "' must match [A-Za-z0-9._-]+, was '" + value + "'");
        }
    }

    public static void topic(String field, String value) {
        nodeId(field, value);
        if (value.length() > 249) {
            throw new IllegalArgumentException("Kafka setting '" + field + "' gives a topic name longer than 249 characters");
        }
    }

    public static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("Kafka setting '" + field + "' must be positive, was " + value);
        }
    }

    public static void positive(String field, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("Kafka setting '" + field + "' must be a positive duration, was " + value);
        }
    }

    public static void notNegative(String field, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException("Kafka setting '" + field + "' must be a duration of 0 or more, was " + value);
        }
    }
}
