package org.homeconsole.runtime.config;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Turns a {@code postgres://user:pass@host:port/db?x=y} URL (Heroku/docker style) into a JDBC URL. */
final class PostgresUrls {

    private PostgresUrls() {
    }

    static String toJdbc(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new SettingsException("DATABASE_URL", "'" + Settings.mask(url) + "' is not a valid URL: " + e.getMessage());
        }
        if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
            throw new SettingsException("DATABASE_URL", "'" + Settings.mask(url) + "' needs a host and a database name");
        }
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
        if (uri.getPort() > 0) {
            jdbc.append(':').append(uri.getPort());
        }
        jdbc.append(uri.getPath());
        String query = uri.getRawQuery();
        String sep = "?";
        if (query != null && !query.isEmpty()) {
            jdbc.append('?').append(query);
            sep = "&";
        }
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            jdbc.append(sep).append("user=").append(enc(dec(parts[0])));
            if (parts.length == 2) {
                jdbc.append("&password=").append(enc(dec(parts[1])));
            }
        }
        return jdbc.toString();
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
