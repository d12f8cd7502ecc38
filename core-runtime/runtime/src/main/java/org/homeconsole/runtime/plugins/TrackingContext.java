package org.homeconsole.runtime.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.RoutesBuilder;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.http.HttpMount;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.Subscription;
import org.homeconsole.api.plugin.PluginContext;
import org.homeconsole.api.services.ServiceHandler;
import org.homeconsole.api.services.ServiceRegistry;
import org.homeconsole.api.state.StateEngine;
import org.homeconsole.api.storage.Storage;

/**
 * The {@link PluginContext} handed to one plugin. It remembers the subscriptions and services the plugin
 * made, so the manager can remove them when the plugin stops, and the routes it added, to remove them
 * when it unloads.
 */
final class TrackingContext implements PluginContext {

    /** Adds a plugin's routes to the core; returns their ids. */
    interface RouteSink {
        List<String> add(String plugin, RoutesBuilder routes) throws Exception;
    }

    private final String plugin;
    private final String nodeId;
    private final EventBus events;
    private final ServiceRegistry services;
    private final StateEngine state;
    private final Storage storage;
    private final ObjectMapper mapper;
    private final RouteSink routeSink;
    private final PluginHost host;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<String> serviceNames = new CopyOnWriteArrayList<>();
    private final List<String> routeIds = new CopyOnWriteArrayList<>();
    /** CloudEvents source of what the plugin publishes */
    private final String source;

    TrackingContext(String plugin, String nodeId, EventBus events, ServiceRegistry services, StateEngine state,
                    Storage storage, ObjectMapper mapper, RouteSink routeSink, PluginHost host) {
        this.plugin = plugin;
        this.nodeId = nodeId;
        this.events = events;
        this.services = services;
        this.state = state;
        this.storage = storage;
        this.mapper = mapper;
        this.routeSink = routeSink;
        this.host = host;
        this.source = "/homeconsole/" + nodeId + "/plugins/" + plugin;
    }

    @Override
    public String pluginName() {
        return plugin;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public EventBus events() {
        return trackingBus;
    }

    @Override
    public ServiceRegistry services() {
        return trackingRegistry;
    }

    @Override
    public StateEngine state() {
        return state;
    }

    @Override
    public Storage storage() {
        return storage;
    }

    @Override
    public JsonNode config() {
        return storage.get("plugin_config", plugin).orElseGet(mapper::createObjectNode);
    }

    @Override
    public void addRoutes(RoutesBuilder routes) throws Exception {
        routeIds.addAll(routeSink.add(plugin, routes));
    }

    @Override
    public HttpMount coreHttp() {
        return requireHost().coreHttp();
    }

    @Override
    public HttpMount dedicatedHttp(String hostName, int port) {
        return requireHost().dedicatedHttp(plugin, hostName, port);
    }

    @Override
    public void bind(String name, Object bean) {
        requireHost().bind(plugin, name, bean);
    }

    @Override
    public void routeProperty(String key, String value) {
        requireHost().routeProperty(key, value);
    }

    @Override
    public boolean isAdminAuthorization(String authorizationHeader) {
        return host != null && host.isAdminAuthorization(authorizationHeader);
    }

    @Override
    public Optional<String> setting(String name) {
        return host == null ? Optional.empty() : host.setting(name);
    }

    private PluginHost requireHost() {
        if (host == null) {
            throw new IllegalStateException("this node gives plugins no HTTP server or registry");
        }
        return host;
    }

    /** Gives back the beans and servers the plugin took (at unload, after its routes are gone). */
    void releaseHostResources() {
        if (host != null) {
            host.release(plugin);
        }
    }

    /** The plugin's subscriptions that are still open. */
    int openSubscriptions() {
        return subscriptions.size();
    }

    List<String> routeIds() {
        return List.copyOf(routeIds);
    }

    void forgetRoutes() {
        routeIds.clear();
    }

    /** Closes the plugin's subscriptions and unregisters its services. */
    void releaseRuntimeResources() {
        for (Subscription subscription : new ArrayList<>(subscriptions)) {
            subscription.close();
        }
        subscriptions.clear();
        for (String name : new ArrayList<>(serviceNames)) {
            services.unregister(name);
        }
        serviceNames.clear();
    }

    private final EventBus trackingBus = new EventBus() {
        @Override
        public CompletableFuture<Event> publish(String type, String key, Object data) {
            // a JsonNode is already what the event carries: no copy through a token buffer
            JsonNode json = data instanceof JsonNode node ? node : mapper.valueToTree(data);
            return events.publish(Event.of(type, source, key, null, json));
        }

        @Override
        public CompletableFuture<Event> publish(Event event) {
            return events.publish(event);
        }

        @Override
        public Subscription subscribe(String subscriber, String pattern, EventHandler handler) {
            Subscription subscription = events.subscribe(plugin + ":" + subscriber, pattern, handler);
            // a plugin that subscribes and closes again and again (one per admin socket) must not pile them up here
            Subscription tracked = new Subscription() {
                @Override
                public String name() {
                    return subscription.name();
                }

                @Override
                public String pattern() {
                    return subscription.pattern();
                }

                @Override
                public void close() {
                    subscriptions.remove(this);
                    subscription.close();
                }
            };
            subscriptions.add(tracked);
            return tracked;
        }
    };

    private final ServiceRegistry trackingRegistry = new ServiceRegistry() {
        @Override
        public void register(String name, ServiceHandler handler) {
            services.register(name, handler);
            serviceNames.add(name);
        }

        @Override
        public boolean unregister(String name) {
            serviceNames.remove(name);
            return services.unregister(name);
        }

        @Override
        public JsonNode call(String name, Object args) {
            return services.call(name, args);
        }

        @Override
        public CompletableFuture<JsonNode> callAsync(String name, Object args, Duration timeout) {
            return services.callAsync(name, args, timeout);
        }

        @Override
        public Set<String> names() {
            return services.names();
        }
    };

}
