package org.homeconsole.connector.jdbc.internal;

import java.util.regex.Pattern;

/** Recognises the JDBC URLs this connector serves and hides their secrets before they reach a message or a log. */
public final class JdbcUrls {

    public static final String SQLITE_PREFIX = "jdbc:sqlite:";
    public static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&;]password=)[^&;#]*");
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/:@?]*):[^@/?]*@");

    private JdbcUrls() {}

    public static boolean isSqlite(String url) {
        return url.startsWith(SQLITE_PREFIX);
    }

    public static boolean isPostgresql(String url) {
        return url.startsWith(POSTGRESQL_PREFIX);
    }

    /** The URL with every password replaced by {@code ****}, safe for messages and logs. */
    public static String mask(String url) {
        String masked = PASSWORD_PARAM.matcher(url).replaceAll("$1****");
        return USER_INFO_PASSWORD.matcher(masked).replaceAll("$1:****@");
    }
}
