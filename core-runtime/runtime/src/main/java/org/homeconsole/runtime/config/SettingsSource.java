package org.homeconsole.runtime.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where raw setting values come from, highest priority first: the process environment, a {@code .env}
 * file in the working directory, a properties file ({@code homeconsole.properties}, or the file named by
 * {@code HOMECONSOLE_CONFIG_FILE}). Names are the documented environment names
 * ({@code HOMECONSOLE_HTTP_PORT}); in the properties file either that form or the dotted lower-case form
 * ({@code homeconsole.http.port}) may be used.
 */
public final class SettingsSource {

    private final List<Map<String, String>> layers;

    private SettingsSource(List<Map<String, String>> layers) {
        this.layers = layers;
    }

    /** The standard sources for a process started in {@code workDir}. */
    public static SettingsSource standard(Map<String, String> environment, Path workDir) {
        Map<String, String> dotEnv = readDotEnv(workDir.resolve(".env"));
        String configFile = Optional.ofNullable(environment.get("HOMECONSOLE_CONFIG_FILE"))
                .orElse(dotEnv.getOrDefault("HOMECONSOLE_CONFIG_FILE", "homeconsole.properties"));
        Path configPath = workDir.resolve(configFile);
        Map<String, String> properties = readProperties(configPath, environment.containsKey("HOMECONSOLE_CONFIG_FILE"));
        return new SettingsSource(List.of(environment, dotEnv, properties));
    }

    /** Only the given values (tests). */
    public static SettingsSource of(Map<String, String> values) {
        return new SettingsSource(List.of(values));
    }

    /** The raw value of a setting, trimmed; empty when unset or blank. */
    public Optional<String> get(String name) {
        String dotted = name.toLowerCase(Locale.ROOT).replace('_', '.');
        for (Map<String, String> layer : layers) {
            String value = layer.get(name);
            if (value == null) {
                value = layer.get(dotted);
            }
            if (value != null && !value.isBlank()) {
                return Optional.of(value.trim());
            }
        }
        return Optional.empty();
    }

    static Map<String, String> readDotEnv(Path file) {
        Map<String, String> values = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return values;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (trimmed.startsWith("export ")) {
                    trimmed = trimmed.substring("export ".length()).strip();
                }
                int eq = trimmed.indexOf('=');
                if (eq <= 0) {
                    throw new SettingsException(".env", "line '" + line + "' is not NAME=value");
                }
                String value = trimmed.substring(eq + 1).strip();
                if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                }
                values.put(trimmed.substring(0, eq).strip(), value);
            }
        } catch (IOException e) {
            throw new SettingsException(".env", "cannot read " + file + ": " + e.getMessage());
        }
        return values;
    }

    static Map<String, String> readProperties(Path file, boolean required) {
        Map<String, String> values = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            if (required) {
                throw new SettingsException("HOMECONSOLE_CONFIG_FILE", "file " + file + " does not exist");
            }
            return values;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new SettingsException("HOMECONSOLE_CONFIG_FILE", "cannot read " + file + ": " + e.getMessage());
        }
        properties.forEach((k, v) -> values.put(k.toString(), v.toString()));
        return values;
    }
}
