package org.homeconsole.runtime.plugins;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.homeconsole.api.plugin.Plugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds plugins with {@link ServiceLoader}: on the classpath, and in each jar of the plugins folder
 * (one class loader per jar, so plugins share no classes but the kernel API). Reads metadata without
 * creating instances. Problems are returned as {@link Problem}s, never thrown: one bad jar does not stop
 * the others.
 */
public final class PluginDiscovery {

    private static final Logger LOG = LoggerFactory.getLogger(PluginDiscovery.class);

    /** A plugin that could not be read. */
    public record Problem(String origin, String message) {
    }

    /** What was found. */
    public record Result(List<PluginDescriptor> plugins, List<Problem> problems) {

        /** The same result without the plugins named (an operator switched them off). */
        public Result without(java.util.Collection<String> names) {
            return new Result(plugins.stream().filter(p -> !names.contains(p.name())).toList(), problems);
        }
    }

    private PluginDiscovery() {
    }

    public static Result discover(ClassLoader appLoader, Path pluginsDir) {
        List<PluginDescriptor> plugins = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        scan(ServiceLoader.load(Plugin.class, appLoader), "classpath", plugins, problems, null);
        if (Files.isDirectory(pluginsDir)) {
            try (Stream<Path> jars = Files.list(pluginsDir)) {
                jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jar -> {
                    try {
                        URLClassLoader loader = new URLClassLoader("plugin:" + jar.getFileName(), new URL[] {jar.toUri().toURL()}, appLoader);
                        scan(ServiceLoader.load(Plugin.class, loader), jar.toString(), plugins, problems, loader);
                    } catch (MalformedURLException e) {
                        problems.add(new Problem(jar.toString(), e.toString()));
                    }
                });
            } catch (IOException e) {
                problems.add(new Problem(pluginsDir.toString(), "cannot list plugins folder: " + e));
            }
        }
        problems.forEach(p -> LOG.error("Plugin not loaded from {}: {}", p.origin(), p.message()));
        return new Result(plugins, problems);
    }

    private static void scan(ServiceLoader<Plugin> loader, String origin, List<PluginDescriptor> plugins,
                             List<Problem> problems, ClassLoader onlyFrom) {
        try {
            loader.stream().forEach(provider -> {
                try {
                    Class<? extends Plugin> type = provider.type();
                    // a jar's loader also sees the classpath's plugins; count those once, as classpath ones
                    if (onlyFrom != null && type.getClassLoader() != onlyFrom) {
                        return;
                    }
                    plugins.add(PluginDescriptor.of(type, origin));
                } catch (ServiceConfigurationError | IllegalArgumentException e) {
                    problems.add(new Problem(origin, e.getMessage()));
                }
            });
        } catch (ServiceConfigurationError e) {
            problems.add(new Problem(origin, e.getMessage()));
        }
    }
}
