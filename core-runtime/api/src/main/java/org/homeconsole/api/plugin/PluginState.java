package org.homeconsole.api.plugin;

/** Where a plugin is in its lifecycle. {@code FAILED} records a lifecycle method that threw. */
public enum PluginState {
    UNLOADED, LOADED, STARTED, STOPPED, FAILED
}
