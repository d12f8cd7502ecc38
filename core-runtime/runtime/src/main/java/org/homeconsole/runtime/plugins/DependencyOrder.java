package org.homeconsole.runtime.plugins;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Orders plugins so that each comes after its dependencies. Plugins with a missing dependency, in a
 * cycle, or depending on such a plugin are refused with a message naming the plugins involved.
 */
public final class DependencyOrder {

    /** The start order, and the plugins refused with the reason. */
    public record Result(List<PluginDescriptor> order, Map<String, String> refused) {
    }

    private DependencyOrder() {
    }

    public static Result of(Collection<PluginDescriptor> plugins) {
        Map<String, PluginDescriptor> byName = new LinkedHashMap<>();
        plugins.stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(p -> byName.put(p.name(), p));
        Map<String, String> refused = new LinkedHashMap<>();
        List<PluginDescriptor> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (PluginDescriptor plugin : byName.values()) {
            visit(plugin, byName, new ArrayList<>(), done, order, refused);
        }
        return new Result(order, refused);
    }

    private static boolean visit(PluginDescriptor plugin, Map<String, PluginDescriptor> byName, List<String> path,
                                 Set<String> done, List<PluginDescriptor> order, Map<String, String> refused) {
        String name = plugin.name();
        if (refused.containsKey(name)) {
            return false;
        }
        if (done.contains(name)) {
            return true;
        }
        if (path.contains(name)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
            cycle.add(name);
            String message = "dependency cycle: " + String.join(" -> ", cycle);
            cycle.forEach(member -> refused.putIfAbsent(member, message));
            return false;
        }
        path.add(name);
        for (String dependency : plugin.dependencies()) {
            PluginDescriptor required = byName.get(dependency);
            if (required == null) {
                refused.put(name, "plugin '" + name + "' depends on '" + dependency + "', which is not installed");
                path.remove(path.size() - 1);
                return false;
            }
            if (!visit(required, byName, path, done, order, refused)) {
                refused.putIfAbsent(name, "plugin '" + name + "' depends on '" + dependency + "', which was refused: " + refused.get(dependency));
                path.remove(path.size() - 1);
                return false;
            }
        }
        path.remove(path.size() - 1);
        if (refused.containsKey(name)) {
            return false;
        }
        done.add(name);
        order.add(plugin);
        return true;
    }
}
