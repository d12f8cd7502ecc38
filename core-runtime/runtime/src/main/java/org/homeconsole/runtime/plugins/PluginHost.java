package org.homeconsole.runtime.plugins;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Function;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.homeconsole.api.http.HttpMount;
import org.homeconsole.runtime.http.HttpServers;

/**
 * What the runtime lends plugins beyond the kernel services: its HTTP servers, registry beans for their
 * route files and route-file properties. Remembers what each plugin took so {@link #release} can give it
 * back when the plugin unloads.
 */
public final class PluginHost {

    private final CamelContext camel;
    private final HttpServers servers;
    private final Map<String, List<String>> beans = new ConcurrentHashMap<>();

    private final Predicate<String> adminAuthorization;
    private final Function<String, Optional<String>> settings;

    public PluginHost(CamelContext camel, HttpServers servers, Predicate<String> adminAuthorization,
                      Function<String, Optional<String>> settings) {
        this.camel = camel;
        this.servers = servers;
        this.adminAuthorization = adminAuthorization;
        this.settings = settings;
    }

    Optional<String> setting(String name) {
        return settings.apply(name);
    }

    boolean isAdminAuthorization(String header) {
        return adminAuthorization.test(header);
    }

    HttpMount coreHttp() {
        return servers.core();
    }

    HttpMount dedicatedHttp(String plugin, String host, int port) {
        return servers.open("plugin " + plugin, host, port);
    }

    void bind(String plugin, String name, Object bean) {
        Object existing = camel.getRegistry().lookupByName(name);
        List<String> own = beans.computeIfAbsent(plugin, p -> new CopyOnWriteArrayList<>());
        if (existing != null && existing != bean && !own.contains(name)) {
            throw new IllegalStateException("Plugin '" + plugin + "' cannot bind bean '" + name + "': the name is taken");
        }
        camel.getRegistry().bind(name, bean);
        if (!own.contains(name)) {
            own.add(name);
        }
    }

    void routeProperty(String key, String value) {
        camel.getPropertiesComponent().addOverrideProperty(key, value);
    }

    /** Unbinds the plugin's beans and closes its dedicated servers. */
    void release(String plugin) {
        List<String> own = beans.remove(plugin);
        if (own != null) {
            own.forEach(camel.getRegistry()::unbind);
        }
        servers.closeAll("plugin " + plugin);
    }
}
