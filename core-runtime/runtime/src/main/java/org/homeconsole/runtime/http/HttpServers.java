package org.homeconsole.runtime.http;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.support.service.ServiceHelper;
import org.homeconsole.api.http.HttpMount;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP servers of a node, all owned by the runtime: the core's server (REST, WebSocket, management on
 * one port) and the dedicated servers plugins ask for (the standalone client manager on 10000). Each
 * server gets its own platform-http engine bean so routes say which server they serve on
 * ({@code platformHttpEngine=#...}); WebSocket handlers mount on the server's Vert.x router. DESIGN.md B5
 * records the traps this avoids.
 */
public final class HttpServers implements AutoCloseable {

    /** Registry name of the core server's engine. */
    public static final String CORE_ENGINE = "coreHttpEngine";

    /**
     * Vert.x worker threads of a node. platform-http runs each REST exchange in {@code executeBlocking}, and a call
     * that waits for something (a command with {@code "wait":true} waits for the agent's result) holds its worker
     * meanwhile: Vert.x's default of 20 would cap a node at 20 such calls in flight and queue the rest behind them.
     */
    public static final int WORKER_THREADS = 128;

    private static final Logger LOG = LoggerFactory.getLogger(HttpServers.class);

    /** The node's one Vert.x instance (bean {@code vertx}), shared by every HTTP server and WebSocket handler. */
    public static Vertx newVertx() {
        return Vertx.vertx(new VertxOptions().setWorkerPoolSize(WORKER_THREADS));
    }

    private final CamelContext camel;
    private final String coreHost;
    private final int corePort;
    private final long maxBodyBytes;
    private final Map<String, Dedicated> dedicated = new LinkedHashMap<>();

    private record Dedicated(String owner, VertxPlatformHttpServer server, PortBoundEngine engine, Mount mount) {
    }

    private record Mount(String host, int port, String engineBean, CamelContext camel) implements HttpMount {
        @Override
        public Router router() {
            return platformRouter();
        }

        @Override
        public Vertx vertx() {
            return platformRouter().vertx();
        }

        // bound by the server when it starts, under a name derived from its port
        private VertxPlatformHttpRouter platformRouter() {
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camel, VertxPlatformHttpRouter.getRouterNameFromPort(port));
            if (router == null) {
                throw new IllegalStateException("no HTTP server is running on port " + port);
            }
            return router;
        }
    }

    public HttpServers(CamelContext camel, String coreHost, int corePort, long maxBodyBytes) {
        this.camel = camel;
        this.coreHost = coreHost;
        this.corePort = corePort;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * Binds the core's engine (as the default {@code platform-http-engine} and as {@link #CORE_ENGINE})
     * before the Camel context starts.
     */
    public static void bindCoreEngine(BiConsumer<String, Object> registry, int corePort) {
        PortBoundEngine engine = new PortBoundEngine(corePort, true);
        registry.accept("platform-http-engine", engine);
        registry.accept(CORE_ENGINE, engine);
    }

    /** The core's server. */
    public HttpMount core() {
        return new Mount(coreHost, corePort, CORE_ENGINE, camel);
    }

    /**
     * Opens (or returns, when {@code owner} already has it) a dedicated server on {@code host:port}.
     *
     * @throws IllegalStateException when the port is the core's, is another owner's, or cannot be bound
     */
    public synchronized HttpMount open(String owner, String host, int port) {
        String key = host + ":" + port;
        Dedicated existing = dedicated.get(key);
        if (existing != null) {
            if (!existing.owner().equals(owner)) {
                throw new IllegalStateException("port " + port + " is already served for " + existing.owner());
            }
            return existing.mount();
        }
        if (port == corePort || dedicated.values().stream().anyMatch(d -> d.mount().port() == port)) {
            throw new IllegalStateException("port " + port + " is already in use by this node");
        }
        VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
        configuration.setBindHost(host);
        configuration.setBindPort(port);
        configuration.setPort(port);
        configuration.setMaxBodySize(maxBodyBytes);
        configuration.getBodyHandler().setHandleFileUploads(false);
        VertxPlatformHttpServer server = new VertxPlatformHttpServer(configuration);
        server.setCamelContext(camel);
        String engineBean = "httpEngine" + port;
        PortBoundEngine engine = new PortBoundEngine(port, false);
        engine.setCamelContext(camel);
        try {
            ServiceHelper.startService(server);
            ServiceHelper.startService(engine);
        } catch (RuntimeException e) {
            ServiceHelper.stopService(engine, server);
            throw new IllegalStateException("cannot serve HTTP on " + key + ": " + rootMessage(e), e);
        }
        camel.getRegistry().bind(engineBean, engine);
        Mount mount = new Mount(host, port, engineBean, camel);
        dedicated.put(key, new Dedicated(owner, server, engine, mount));
        LOG.info("HTTP server for {} listening on {}:{}", owner, host, server.getPort());
        return mount;
    }

    /** Closes the dedicated servers opened for {@code owner}. */
    public synchronized void closeAll(String owner) {
        List<String> keys = new ArrayList<>();
        dedicated.forEach((key, d) -> {
            if (d.owner().equals(owner)) {
                keys.add(key);
            }
        });
        for (String key : keys) {
            stop(dedicated.remove(key));
        }
    }

    @Override
    public synchronized void close() {
        dedicated.values().forEach(this::stop);
        dedicated.clear();
    }

    private void stop(Dedicated d) {
        camel.getRegistry().unbind(d.mount().engineBean());
        camel.getRegistry().unbind(VertxPlatformHttpRouter.getRouterNameFromPort(d.mount().port()));
        ServiceHelper.stopService(d.engine(), d.server());
        LOG.info("HTTP server for {} on {}:{} closed", d.owner(), d.mount().host(), d.mount().port());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
