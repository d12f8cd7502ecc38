package org.homeconsole.api.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * An HTTP server owned by the runtime, as a plugin sees it: where to mount WebSocket handlers (the Vert.x
 * {@link #router()}) and how to point {@code platform-http} routes at it ({@link #engineBean()}). Plugins
 * never bind ports themselves; they get the core's server, or ask the runtime for a dedicated one
 * (see {@code PluginContext#dedicatedHttp}), which the runtime opens and closes.
 */
public interface HttpMount {

    /** The address the server listens on. */
    String host();

    /** The port the server listens on. */
    int port();

    /** The server's Vert.x router. Handlers added here serve requests that no Camel route took first. */
    Router router();

    /** The Vert.x instance serving this server (timers, event-loop work). */
    Vertx vertx();

    /**
     * Name of the registry bean that is this server's platform-http engine: a route consumes from it with
     * {@code platform-http:/path?platformHttpEngine=#<name>}.
     */
    String engineBean();
}
