package org.homeconsole.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.RoutesBuilder;
import org.homeconsole.api.events.EventBus;
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
}
