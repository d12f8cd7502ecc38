package org.homeconsole.bench.clientmanager;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name=value} command-line options; every name read must be known, unknown ones fail with the usage. */
final class Args {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();
    private final String usage;

    Args(String[] args, String usage) {
        this.usage = usage;
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println(usage);
                System.exit(0);
            }
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("'" + arg + "' is not --name=value; " + usage);
            }
            values.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
    }

    String string(String name, String fallback) {
        read.add(name);
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        String v = string(name, null);
        return v == null ? fallback : Integer.parseInt(v.replace("_", ""));
    }

    Path path(String name, Path fallback) {
        String v = string(name, null);
        return v == null ? fallback : Path.of(v);
    }

    List<Integer> integers(String name, List<Integer> fallback) {
        String v = string(name, null);
        return v == null ? fallback : Arrays.stream(v.split(",")).map(s -> Integer.parseInt(s.trim().replace("_", ""))).toList();
    }

    /** Fails when an option was given that no {@code string/integer/...} call asked for. */
    void done() {
        for (String name : values.keySet()) {
            if (!read.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; " + usage);
            }
        }
    }
}
