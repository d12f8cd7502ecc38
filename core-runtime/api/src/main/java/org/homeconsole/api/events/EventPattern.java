package org.homeconsole.api.events;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A subscription pattern over dotted event types; see {@link EventBus} for the syntax.
 */
public final class EventPattern {

    private static final Pattern VALID = Pattern.compile("\\*|[A-Za-z0-9_\\-]+(\\.([A-Za-z0-9_\\-]+|\\*))*");

    private final String pattern;
    private final String[] segments;
    private final boolean exact;

    private EventPattern(String pattern) {
        this.pattern = pattern;
        this.segments = pattern.split("\\.");
        this.exact = !pattern.contains("*");
    }

    /**
     * Parses a pattern.
     *
     * @throws IllegalArgumentException naming the pattern when it is not valid
     */
    public static EventPattern of(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (!VALID.matcher(pattern).matches()) {
            throw new IllegalArgumentException("Invalid event pattern '" + pattern
                    + "': use dotted segments of letters, digits, '_' or '-', with '*' for a whole segment");
        }
        return new EventPattern(pattern);
    }

    /** Whether an event type matches this pattern. */
    public boolean matches(String type) {
        if (exact) {
            return pattern.equals(type);
        }
        if (type == null) {
            return false;
        }
        String[] parts = type.split("\\.");
        for (int i = 0; i < segments.length; i++) {
            boolean last = i == segments.length - 1;
            if (i >= parts.length) {
                return false;
            }
            if (segments[i].equals("*")) {
                if (last) {
                    return true;
                }
            } else if (!segments[i].equals(parts[i])) {
                return false;
            }
        }
        return parts.length == segments.length;
    }

    @Override
    public String toString() {
        return pattern;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventPattern other && Arrays.equals(segments, other.segments);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }
}
