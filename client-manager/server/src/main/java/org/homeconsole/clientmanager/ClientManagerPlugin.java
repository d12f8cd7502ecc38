package org.homeconsole.clientmanager;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import org.homeconsole.api.http.HttpMount;
import org.homeconsole.api.plugin.Plugin;
import org.homeconsole.api.plugin.PluginContext;
import org.homeconsole.api.plugin.PluginInfo;
import org.homeconsole.clientmanager.cluster.AgentRouter;
import org.homeconsole.clientmanager.jobs.JobManager;
import java.time.Duration;
import org.homeconsole.clientmanager.registry.ClientInfo;
import org.homeconsole.clientmanager.registry.ConnectionRegistry;
import org.homeconsole.clientmanager.registry.InMemoryConnectionRegistry;
import org.homeconsole.clientmanager.registry.RedisConnectionRegistry;
import org.homeconsole.clientmanager.sockets.AdminStream;
import org.homeconsole.clientmanager.sockets.AgentGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client manager as a core plugin ({@code client_manager}): remote agents over WebSocket, commands and
 * jobs, the admin stream. In standalone mode (the default) it serves on a server of its own that the
 * runtime opens ({@code 0.0.0.0:10000}: {@code /api/*}, {@code /ws}, {@code /admin/ws}); in integrated mode
 * on the core's server ({@code /api/client-manager/*}, {@code <ws_prefix>/ws}, {@code <ws_prefix>/admin/ws}).
 * The REST routes are the route files in {@code routes/client-manager/}, the same in both modes; this
 * plugin sets their base path and server ({@code {{clientManager.restBase}}}, {@code {{clientManager.engine}}})
 * and binds the {@code clientManager} bean they call.
 */
@PluginInfo(name = "client_manager", version = "0.1.0",
        description = "Remote agents over WebSocket: registry, commands and jobs, admin stream")
public final class ClientManagerPlugin implements Plugin {

    private static final Logger LOG = LoggerFactory.getLogger(ClientManagerPlugin.class);

    private PluginContext context;
    private ClientManagerConfig config;
    private ConnectionRegistry registry;
    private AgentGateway gateway;
    private AdminStream admin;
    private JobManager jobs;
    private AgentRouter router;
    private Audit audit;
    private EventsOut eventsOut;
    private Vertx vertx;
    private long flushTimer = -1;
    /** One mapper for the plugin's lifetime (thread-safe once configured): building one is expensive. */
    private final ObjectMapper mapper = new ObjectMapper();
    private final ClientManagerApi api = new ClientManagerApi(mapper);

    @Override
    public void onLoad(PluginContext context) {
        this.context = context;
    }

    @Override
    public void onStart() {
        config = ClientManagerConfig.resolve(context.config(), context::setting);
        String nodeId = context.nodeId();
        registry = openRegistry(nodeId);
        eventsOut = new EventsOut(context.events(), nodeId);
        audit = new Audit(nodeId, eventsOut, context.storage(), mapper);
        AgentTokens tokens = new AgentTokens(context.storage(), mapper);
        gateway = new AgentGateway(config, nodeId, tokens, registry, audit, mapper, new AgentGateway.ClientEvents() {
            @Override
            public void connected(ClientInfo client) {
                publish("client.connected", client, null);
            }

            @Override
            public void disconnected(ClientInfo client) {
                publish("client.disconnected", client, client.disconnectReason());
            }
        });
        router = new AgentRouter(nodeId, gateway, registry, context.services(), mapper, Duration.ofSeconds(5));
        jobs = new JobManager(nodeId, router, eventsOut, context.storage(), mapper);
        gateway.jobs(jobs);
        gateway.router(router);
        jobs.holderAlive((agentId, node) -> registry.get(agentId).map(c -> c.online() && c.node().equals(node)).orElse(false));
        router.start(jobs);
        // subscribes to client.*, job.* and command.* only while an admin socket needs them
        admin = new AdminStream(config, context::isAdminAuthorization, audit, mapper, context.events());
        jobs.listener(admin);

        HttpMount mount = config.mode() == ClientManagerConfig.Mode.STANDALONE
                ? context.dedicatedHttp(config.host(), config.port())
                : context.coreHttp();
        vertx = mount.vertx();
        gateway.mount(mount.router(), vertx);
        admin.mount(mount.router());
        context.routeProperty("clientManager.restBase", config.restBase());
        context.routeProperty("clientManager.engine", mount.engineBean());
        api.use(new ClientManagerApi.Parts(config, nodeId, registry, gateway, router, admin, jobs, tokens,
                new CommandPolicy(config.commandAllow(), config.commandDeny()), audit));
        // one bean for the plugin's lifetime: Camel's bean steps keep the instance they first looked up
        context.bind("clientManager", api);
        flushTimer = vertx.setPeriodic(500, id -> vertx.executeBlocking(() -> {
            jobs.flush();
            audit.flush();
            router.sweep();
            sweepLostNodes();
            return null;
        }, false));

        if (config.mode() == ClientManagerConfig.Mode.STANDALONE) {
            LOG.info("Client Manager started on {}:{} (standalone mode)", config.host(), config.port());
        } else {
            LOG.info("Client Manager integrated into the main API (integrated mode)");
        }
        LOG.info("Client Manager endpoints: REST {}/*, agents {}, admin {}", config.restBase(), config.agentPath(),
                config.adminPath());
    }

    /**
     * The shared Redis registry when {@code REDIS_URL} is set (several nodes act as one), else this node's
     * own in memory. On a Redis that lost its state, the node re-announces its live sessions.
     */
    private ConnectionRegistry openRegistry(String nodeId) {
        var redisUrl = context.setting("REDIS_URL").filter(url -> !url.isBlank());
        if (redisUrl.isEmpty()) {
            return new InMemoryConnectionRegistry(100_000);
        }
        String prefix = context.setting("HOMECONSOLE_TOPIC_PREFIX").orElse("homeconsole") + ":cm:";
        RedisConnectionRegistry redis = new RedisConnectionRegistry(redisUrl.get(), nodeId, prefix,
                Duration.ofMillis(config.nodeTtlMs()), RedisConnectionRegistry.DEFAULT_COMMAND_TIMEOUT, () -> {
                    int count = gateway.reannounce();
                    LOG.warn("The shared registry had lost its state; re-announced {} live agent sessions", count);
                });
        try {
            redis.start();
        } catch (RuntimeException e) {
            redis.close();
            throw new IllegalStateException("REDIS_URL " + redisUrl.get() + " does not answer: " + e.getMessage(), e);
        }
        LOG.info("Client Manager shares its connection registry in Redis {} (node {}, liveness {} ms)", redisUrl.get(),
                nodeId, config.nodeTtlMs());
        return redis;
    }

    /** Marks offline, once across all nodes, the agents of nodes that stopped renewing their liveness. */
    private void sweepLostNodes() {
        for (ClientInfo lost : registry.sweepLostNodes()) {
            publish("client.disconnected", lost, lost.disconnectReason());
        }
    }

    private void publish(String type, ClientInfo client, String reason) {
        ObjectNode data = mapper.createObjectNode().put("agent_id", client.id()).put("node", client.node())
                .put("session_id", client.sessionId()).put("remote_address", client.remoteAddress());
        ObjectNode labels = data.putObject("labels");
        client.labels().forEach(labels::put);
        if (reason != null) {
            data.put("reason", reason);
        }
        eventsOut.publish(type, client.id(), data);
    }

    @Override
    public void onStop() {
        api.use(null);
        if (flushTimer >= 0) {
            vertx.cancelTimer(flushTimer);
            flushTimer = -1;
        }
        if (router != null) {
            router.stop();
        }
        if (gateway != null) {
            gateway.unmount();
        }
        if (admin != null) {
            admin.unmount();
        }
        if (jobs != null) {
            jobs.close();
        }
        if (audit != null) {
            audit.flush();
        }
        if (registry != null) {
            registry.close();
        }
        if (eventsOut != null) {
            eventsOut.close();
        }
        LOG.info("Client Manager stopped");
    }
}
