package org.homeconsole.api.plugin;

/**
 * An in-process plugin: a domain (devices, users, automation, ...) living on the kernel.
 *
 * <p><b>Finding.</b> Implementations are listed in {@code META-INF/services/org.homeconsole.api.plugin.Plugin}
 * in a jar on the classpath or in the {@code plugins/} folder, carry {@link PluginInfo} and have a
 * public no-argument constructor.
 *
 * <p><b>Lifecycle.</b> {@code UNLOADED → LOADED → STARTED → STOPPED → UNLOADED}. The plugin manager
 * calls {@link #onLoad} once (register HTTP routes here), {@link #onStart} in dependency order
 * (subscribe, register services), {@link #onStop} in reverse order and {@link #onUnload} last.
 * Each call is made on the plugin manager's thread, never concurrently with another lifecycle call of
 * the same plugin. An exception from a lifecycle method marks the plugin {@code FAILED}; the others
 * carry on.
 *
 * <p><b>Rules.</b> A plugin reaches the rest of the platform only through its {@link PluginContext}:
 * it never opens a port or starts an HTTP server (the core owns the one server — an architecture test
 * fails the build otherwise), never touches the database directly, and shares no memory with other plugins.
 */
public interface Plugin {

    /** Called once after the instance is created; the place to contribute HTTP routes. */
    default void onLoad(PluginContext context) throws Exception {
    }

    /** Starts the plugin's work: subscriptions, services, timers. */
    default void onStart() throws Exception {
    }

    /** Stops the plugin's work. Subscriptions and services registered through the context are also removed by the manager. */
    default void onStop() throws Exception {
    }

    /** Called once before the instance is dropped; its HTTP routes are removed after this. */
    default void onUnload() throws Exception {
    }
}
