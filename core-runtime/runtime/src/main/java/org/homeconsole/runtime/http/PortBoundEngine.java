package org.homeconsole.runtime.http;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * A platform-http engine tied to one server port. Camel's engine finds "the" server by type, which is
 * ambiguous once the runtime runs a second server (DESIGN.md B5), and would fall back to port 8080.
 * Only the core's engine registers itself as the default {@code platform-http-engine}.
 */
final class PortBoundEngine extends VertxPlatformHttpEngine {

    private final int port;
    private final boolean defaultEngine;

    PortBoundEngine(int port, boolean defaultEngine) {
        this.port = port;
        this.defaultEngine = defaultEngine;
    }

    @Override
    public int getServerPort() {
        return port;
    }

    @Override
    protected void doInit() throws Exception {
        if (defaultEngine) {
            super.doInit();
        }
    }
}
