package org.homeconsole.runtime.plugins;

import java.util.List;
import org.homeconsole.api.plugin.PluginState;

/** A plugin as the admin API and {@code /ready} show it. {@code error} is set when the state is FAILED. */
public record PluginStatus(String name, String version, String description, List<String> dependencies,
                           PluginState state, String error, String origin, List<String> routes) {
}
