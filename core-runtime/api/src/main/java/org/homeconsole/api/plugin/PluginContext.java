package org.homeconsole.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.RoutesBuilder;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.http.HttpMount;
import org.homeconsole.api.services.ServiceRegistry;
import org.homeconsole.api.state.StateEngine;
import org.homeconsole.api.storage.Storage;

/**
 * What a plugin may reach: the kernel services, its configuration and the core's HTTP server
 * (through routes). Subscriptions and services made through this context are tracked per plugin and
 * removed when the plugin stops.
 */
public interface PluginContext {

    /** This plugin's name (from {@link PluginInfo}). */
    String pluginName();

    /** The id of the node this plugin runs on. */
    String nodeId();

    EventBus events();

    ServiceRegistry services();

    StateEngine state();

    Storage storage();

    /** The plugin's configuration: Storage {@code plugin_config/<plugin name>}, or an empty object. */
    JsonNode config();

    /**
     * Contributes Camel routes, typically REST DSL routes mounted on the core's HTTP server.
     * They are added when the plugin loads and removed when it unloads. Consumers that would open
     * their own port (netty-http, jetty, a vertx-websocket without the core's router, ...) are refused.
     */
    void addRoutes(RoutesBuilder routes) throws Exception;

    /** The core's HTTP server (REST, WebSocket and management on one port). */
    HttpMount coreHttp();

    /**
     * A server of its own for this plugin on {@code host:port}, opened and owned by the runtime (the
     * plugin never binds a port itself) and closed when the plugin unloads. Asking again for the same
     * address returns the same server.
     *
     * @throws IllegalStateException when the port cannot be bound, naming it
     */
    HttpMount dedicatedHttp(String host, int port);

    /**
     * Puts a bean into the Camel registry under {@code name} so the plugin's route files can call it
     * ({@code bean: name}); removed when the plugin unloads.
     */
    void bind(String name, Object bean);

    /**
     * Sets a property that route files can use as {@code {{key}}} (e.g. the base path the plugin serves
     * REST under); set it before the route files load, i.e. in {@code onLoad} or {@code onStart}.
     */
    void routeProperty(String key, String value);

    /**
     * Whether an {@code Authorization} header value carries the node's admin API key
     * ({@code Bearer <key>}), compared in constant time. For plugin endpoints that are not Camel routes
     * (WebSocket handshakes); routes call {@code bean: adminApi, method: authorize}.
     */
    boolean isAdminAuthorization(String authorizationHeader);

    /**
     * A node setting by name, from the same sources as the core's own settings: the environment, then
     * {@code .env} in the working directory, then {@code homeconsole.properties}.
     */
    java.util.Optional<String> setting(String name);
}
