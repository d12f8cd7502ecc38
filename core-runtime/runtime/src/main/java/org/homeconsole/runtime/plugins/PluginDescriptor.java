package org.homeconsole.runtime.plugins;

import java.util.List;
import java.util.regex.Pattern;
import org.homeconsole.api.plugin.Plugin;
import org.homeconsole.api.plugin.PluginInfo;

/**
 * What is known of a plugin before it is instantiated: its {@link PluginInfo} and where it came from.
 *
 * @param origin {@code classpath} or the jar's path
 */
public record PluginDescriptor(String name, String version, String description, List<String> dependencies,
                               Class<? extends Plugin> type, String origin) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_\\-]{0,62}");

    /** Reads the metadata of a plugin class; fails naming the class when it is missing or wrong. */
    public static PluginDescriptor of(Class<? extends Plugin> type, String origin) {
        PluginInfo info = type.getAnnotation(PluginInfo.class);
        if (info == null) {
            throw new IllegalArgumentException("Plugin class " + type.getName() + " (" + origin + ") has no @PluginInfo annotation");
        }
        if (!NAME.matcher(info.name()).matches()) {
            throw new IllegalArgumentException("Plugin class " + type.getName() + " has an invalid name '" + info.name()
                    + "': use lower-case letters, digits, '-' and '_'");
        }
        return new PluginDescriptor(info.name(), info.version(), info.description(), List.of(info.dependencies()), type, origin);
    }
}
