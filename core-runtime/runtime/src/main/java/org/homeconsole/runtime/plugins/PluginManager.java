package org.homeconsole.runtime.plugins;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.homeconsole.api.plugin.Plugin;
import org.homeconsole.api.plugin.PluginState;
import org.homeconsole.api.state.StateEngine;
import org.homeconsole.runtime.Kernel;
import org.homeconsole.runtime.routes.RouteOwnership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives plugins through {@code UNLOADED → LOADED → STARTED → STOPPED → UNLOADED}: loads and starts them
 * in dependency order, stops them in reverse. A missing dependency or a cycle is refused with a message
 * naming the plugins; a plugin whose lifecycle method throws is marked {@code FAILED} with the error and
 * the others go on. Each plugin's state is mirrored in the StateEngine as {@code plugin.<name>.state}.
 *
 * <p>All lifecycle calls are serialised on this manager.
 */
public final class PluginManager {

    private static final Logger LOG = LoggerFactory.getLogger(PluginManager.class);

    private final Map<String, Entry> plugins = new LinkedHashMap<>();
    private final List<PluginDiscovery.Problem> problems = new ArrayList<>();
    private final Function<PluginDescriptor, TrackingContext> contexts;
    private final RouteRemover routeRemover;
    private final StateEngine state;
    private List<String> order = List.of();

    /** Removes a plugin's routes from the core. */
    public interface RouteRemover {
        void remove(String plugin, List<String> routeIds);
    }

    private static final class Entry {
        final PluginDescriptor descriptor;
        PluginState state = PluginState.UNLOADED;
        String error;
        Plugin instance;
        TrackingContext context;

        Entry(PluginDescriptor descriptor) {
            this.descriptor = descriptor;
        }
    }

    /**
     * A manager whose plugins get the node's kernel services, and whose routes go into the running Camel
     * context after the {@link PortGuard} has checked them.
     */
    public static PluginManager create(Kernel kernel, CamelContext camel, RouteOwnership routes, PortGuard guard,
                                       PluginHost host) {
        TrackingContext.RouteSink sink = (plugin, builder) -> {
            guard.check(plugin, camel, builder);
            return routes.add(builder);
        };
        return new PluginManager(descriptor -> new TrackingContext(descriptor.name(), kernel.nodeId(), kernel.events(),
                kernel.services(), kernel.state(), kernel.storage(), kernel.mapper(), sink, host),
                (plugin, ids) -> {
                    List<String> failed = routes.remove(ids);
                    if (!failed.isEmpty()) {
                        LOG.warn("Plugin {}: routes {} could not be removed", plugin, failed);
                    }
                }, kernel.state());
    }

    PluginManager(Function<PluginDescriptor, TrackingContext> contexts, RouteRemover routeRemover, StateEngine state) {
        this.contexts = contexts;
        this.routeRemover = routeRemover;
        this.state = state;
    }

    /** Registers what discovery found (all {@code UNLOADED}); a duplicate name is refused. */
    public synchronized void install(PluginDiscovery.Result found) {
        problems.addAll(found.problems());
        for (PluginDescriptor descriptor : found.plugins()) {
            if (plugins.containsKey(descriptor.name())) {
                PluginDescriptor first = plugins.get(descriptor.name()).descriptor;
                problems.add(new PluginDiscovery.Problem(descriptor.origin(), "plugin name '" + descriptor.name()
                        + "' of " + descriptor.type().getName() + " is already taken by " + first.type().getName()
                        + " (" + first.origin() + ")"));
                LOG.error("Plugin {} from {} ignored: name '{}' already taken by {}", descriptor.type().getName(),
                        descriptor.origin(), descriptor.name(), first.type().getName());
                continue;
            }
            plugins.put(descriptor.name(), new Entry(descriptor));
        }
        DependencyOrder.Result result = DependencyOrder.of(descriptors());
        order = result.order().stream().map(PluginDescriptor::name).toList();
        result.refused().forEach((name, reason) -> fail(plugins.get(name), reason, null));
    }

    /** Loads and starts every plugin that can be, in dependency order. */
    public synchronized void startAll() {
        for (String name : order) {
            Entry entry = plugins.get(name);
            if (entry.state == PluginState.UNLOADED) {
                load(name);
            }
        }
        for (String name : order) {
            Entry entry = plugins.get(name);
            if (entry.state == PluginState.LOADED || entry.state == PluginState.STOPPED) {
                start(name);
            }
        }
    }

    /** Stops every started plugin, in reverse dependency order. */
    public synchronized void stopAll() {
        for (String name : reversed(order)) {
            if (plugins.get(name).state == PluginState.STARTED) {
                stopEntry(plugins.get(name));
            }
        }
    }

    /** Stops, then unloads every plugin, in reverse dependency order. */
    public synchronized void unloadAll() {
        stopAll();
        for (String name : reversed(order)) {
            Entry entry = plugins.get(name);
            if (entry.state != PluginState.UNLOADED) {
                unloadEntry(entry);
            }
        }
    }

    /** {@code UNLOADED → LOADED}: creates the instance and calls {@code onLoad}. */
    public synchronized PluginStatus load(String name) {
        Entry entry = entry(name);
        requireState(entry, "load", PluginState.UNLOADED, PluginState.FAILED);
        if (!order.contains(name)) {
            throw new IllegalStateException("Plugin '" + name + "' cannot be loaded: " + entry.error);
        }
        try {
            entry.instance = entry.descriptor.type().getDeclaredConstructor().newInstance();
            entry.context = contexts.apply(entry.descriptor);
            entry.instance.onLoad(entry.context);
            setState(entry, PluginState.LOADED);
            LOG.info("Plugin {} {} loaded from {}", name, entry.descriptor.version(), entry.descriptor.origin());
        } catch (Exception | LinkageError e) {
            removeRoutes(entry);
            fail(entry, "onLoad failed: " + describe(e), e);
        }
        return status(entry);
    }

    /** {@code LOADED/STOPPED → STARTED}: calls {@code onStart}; every dependency must be started. */
    public synchronized PluginStatus start(String name) {
        Entry entry = entry(name);
        if (entry.state == PluginState.UNLOADED || entry.state == PluginState.FAILED && entry.instance == null) {
            load(name);
        }
        requireState(entry, "start", PluginState.LOADED, PluginState.STOPPED, PluginState.FAILED);
        for (String dependency : entry.descriptor.dependencies()) {
            Entry required = plugins.get(dependency);
            if (required == null || required.state != PluginState.STARTED) {
                fail(entry, "dependency '" + dependency + "' is not started"
                        + (required != null && required.error != null ? " (" + required.error + ")" : ""), null);
                return status(entry);
            }
        }
        try {
            entry.instance.onStart();
            setState(entry, PluginState.STARTED);
            entry.error = null;
            LOG.info("Plugin {} started", name);
        } catch (Exception | LinkageError e) {
            entry.context.releaseRuntimeResources();
            fail(entry, "onStart failed: " + describe(e), e);
        }
        return status(entry);
    }

    /** {@code STARTED → STOPPED}; refused while a started plugin depends on it. */
    public synchronized PluginStatus stop(String name) {
        Entry entry = entry(name);
        requireState(entry, "stop", PluginState.STARTED);
        for (Entry other : plugins.values()) {
            if (other.state == PluginState.STARTED && other.descriptor.dependencies().contains(name)) {
                throw new IllegalStateException("Plugin '" + name + "' cannot stop: started plugin '"
                        + other.descriptor.name() + "' depends on it; stop that first");
            }
        }
        stopEntry(entry);
        return status(entry);
    }

    /** {@code LOADED/STOPPED/FAILED → UNLOADED}: calls {@code onUnload} and removes the plugin's routes. */
    public synchronized PluginStatus unload(String name) {
        Entry entry = entry(name);
        requireState(entry, "unload", PluginState.LOADED, PluginState.STOPPED, PluginState.FAILED);
        unloadEntry(entry);
        return status(entry);
    }

    public synchronized List<PluginStatus> list() {
        return plugins.values().stream().map(this::status).toList();
    }

    public synchronized PluginStatus get(String name) {
        return status(entry(name));
    }

    /** Plugins that could not even be read (bad jar, missing annotation, duplicate name). */
    public synchronized List<PluginDiscovery.Problem> problems() {
        return List.copyOf(problems);
    }

    /** Why the plugins are not all started; empty when they are. */
    public synchronized List<String> notStarted() {
        List<String> reasons = new ArrayList<>();
        for (Entry entry : plugins.values()) {
            if (entry.state != PluginState.STARTED) {
                reasons.add("plugin '" + entry.descriptor.name() + "' is " + entry.state
                        + (entry.error != null ? ": " + entry.error : ""));
            }
        }
        return reasons;
    }

    private void stopEntry(Entry entry) {
        try {
            entry.instance.onStop();
            setState(entry, PluginState.STOPPED);
            LOG.info("Plugin {} stopped", entry.descriptor.name());
        } catch (Exception | LinkageError e) {
            fail(entry, "onStop failed: " + describe(e), e);
        } finally {
            entry.context.releaseRuntimeResources();
        }
    }

    private void unloadEntry(Entry entry) {
        try {
            if (entry.instance != null) {
                entry.instance.onUnload();
            }
        } catch (Exception | LinkageError e) {
            LOG.warn("Plugin {} onUnload failed: {}", entry.descriptor.name(), describe(e));
        } finally {
            removeRoutes(entry);
            if (entry.context != null) {
                entry.context.releaseRuntimeResources();
                entry.context.releaseHostResources();
            }
            entry.instance = null;
            entry.context = null;
            entry.error = null;
            setState(entry, PluginState.UNLOADED);
            LOG.info("Plugin {} unloaded", entry.descriptor.name());
        }
    }

    private void removeRoutes(Entry entry) {
        if (entry.context != null && !entry.context.routeIds().isEmpty()) {
            routeRemover.remove(entry.descriptor.name(), entry.context.routeIds());
            entry.context.forgetRoutes();
        }
    }

    private void fail(Entry entry, String reason, Throwable error) {
        entry.error = reason;
        setState(entry, PluginState.FAILED);
        if (error != null) {
            LOG.error("Plugin {} FAILED: {}", entry.descriptor.name(), reason, error);
        } else {
            LOG.error("Plugin {} FAILED: {}", entry.descriptor.name(), reason);
        }
    }

    private void setState(Entry entry, PluginState newState) {
        entry.state = newState;
        try {
            state.set("plugin." + entry.descriptor.name() + ".state", newState.name());
        } catch (RuntimeException e) {
            LOG.debug("Could not mirror plugin state: {}", e.toString());
        }
    }

    private Entry entry(String name) {
        Entry entry = plugins.get(name);
        if (entry == null) {
            throw new NoSuchElementException("No plugin named '" + name + "'");
        }
        return entry;
    }

    private static void requireState(Entry entry, String action, PluginState... allowed) {
        for (PluginState state : allowed) {
            if (entry.state == state) {
                return;
            }
        }
        throw new IllegalStateException("Plugin '" + entry.descriptor.name() + "' cannot " + action + " while " + entry.state);
    }

    private PluginStatus status(Entry entry) {
        PluginDescriptor d = entry.descriptor;
        return new PluginStatus(d.name(), d.version(), d.description(), d.dependencies(), entry.state, entry.error,
                d.origin(), entry.context == null ? List.of() : entry.context.routeIds());
    }

    private Collection<PluginDescriptor> descriptors() {
        return plugins.values().stream().map(e -> e.descriptor).toList();
    }

    private static List<String> reversed(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
    }
}
