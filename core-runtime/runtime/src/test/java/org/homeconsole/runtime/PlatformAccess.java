package org.homeconsole.runtime;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

/** Lets tests in other packages start nodes through {@link TestPlatforms}. */
public final class PlatformAccess {

    private PlatformAccess() {
    }

    public static Map<String, String> settings(Path dir) {
        return TestPlatforms.settings(dir);
    }

    public static Platform start(Path dir, Map<String, String> settings) {
        return TestPlatforms.start(dir, settings);
    }

    public static int freePort() {
        return TestPlatforms.freePort();
    }

    public static HttpResponse<String> get(Platform platform, String path) throws Exception {
        return TestPlatforms.get(platform, path, null);
    }
}
