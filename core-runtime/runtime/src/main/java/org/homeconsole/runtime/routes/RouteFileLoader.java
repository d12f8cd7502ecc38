package org.homeconsole.runtime.routes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plugins as route files: loads every {@code *.camel.yaml} under the routes folder (sub-folders included)
 * and watches it. Adding, editing or deleting a file changes only that file's routes; other routes — and
 * the WebSocket connections they hold — are left alone (Camel's own reload restarts every route).
 *
 * <p>A file that cannot be loaded is reported (log and {@link #status()}); when it was an edit, the
 * previous version's routes keep running. A file may not take a route id owned by another file.
 * Files declaring a {@code routeConfiguration} load first, so routes can refer to them.
 */
public final class RouteFileLoader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RouteFileLoader.class);

    private final CamelContext camel;
    private final RouteOwnership ownership;
    private final Path root;
    private final Map<Path, Loaded> files = new TreeMap<>();
    private ScheduledExecutorService watcher;

    private static final class Loaded {
        String content;
        List<String> routeIds = List.of();
        String error;
        Instant changedAt = Instant.now();
        /** content of the last version that loaded, to restore after a failed edit */
        String runningContent;
    }

    public RouteFileLoader(CamelContext camel, RouteOwnership ownership, Path root) {
        this.camel = camel;
        this.ownership = ownership;
        this.root = root;
    }

    /** Loads every file now; then checks for changes every {@code pollMillis}. */
    public synchronized void start(long pollMillis) {
        scan();
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "route-file-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(() -> {
            try {
                scan();
            } catch (RuntimeException e) {
                LOG.warn("Route folder scan failed: {}", e.toString());
            }
        }, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        LOG.info("Route files: {} loaded from {}, watching for changes", files.size(), root);
    }

    /** Looks for added, changed and removed files and applies them. */
    public synchronized void scan() {
        Map<Path, String> current = readAll();
        for (Path gone : new ArrayList<>(files.keySet())) {
            if (!current.containsKey(gone)) {
                unload(gone);
            }
        }
        List<Path> changed = new ArrayList<>();
        current.forEach((path, content) -> {
            Loaded loaded = files.get(path);
            if (loaded == null || !loaded.content.equals(content)) {
                changed.add(path);
            }
        });
        // route configurations first, so routes that name them find them
        changed.sort((a, b) -> Boolean.compare(!isConfiguration(current.get(a)), !isConfiguration(current.get(b))));
        for (Path path : changed) {
            load(path, current.get(path));
        }
    }

    public synchronized List<RouteFileStatus> status() {
        List<RouteFileStatus> result = new ArrayList<>();
        files.forEach((path, loaded) -> result.add(new RouteFileStatus(root.relativize(path).toString(),
                loaded.error == null ? "LOADED" : "FAILED", loaded.routeIds, loaded.error, loaded.changedAt)));
        return result;
    }

    /** Files whose last version failed to load. */
    public synchronized List<RouteFileStatus> failures() {
        return status().stream().filter(s -> s.error() != null).toList();
    }

    private void load(Path path, String content) {
        Loaded loaded = files.computeIfAbsent(path, p -> new Loaded());
        boolean existed = loaded.runningContent != null;
        loaded.content = content;
        loaded.changedAt = Instant.now();
        String name = root.relativize(path).toString();
        List<RoutesBuilder> builders;
        try {
            builders = parse(path, content);
            checkIds(path, builders);
        } catch (Exception e) {
            loaded.error = message(e);
            LOG.error("Route file {} not loaded: {}{}", name, loaded.error,
                    existed ? " (its previous routes keep running)" : "");
            return;
        }
        List<String> previous = loaded.routeIds;
        ownership.remove(previous);
        try {
            loaded.routeIds = addAll(builders);
            loaded.runningContent = content;
            loaded.error = null;
            LOG.info("Route file {} {}: routes {}", name, existed ? "reloaded" : "loaded", loaded.routeIds);
        } catch (Exception e) {
            loaded.error = message(e);
            loaded.routeIds = List.of();
            LOG.error("Route file {} not loaded: {}{}", name, loaded.error, existed ? " (restoring its previous routes)" : "");
            if (existed) {
                try {
                    loaded.routeIds = addAll(parse(path, loaded.runningContent));
                } catch (Exception restore) {
                    LOG.error("Route file {}: previous version could not be restored: {}", name, message(restore));
                }
            }
        }
    }

    private void unload(Path path) {
        Loaded loaded = files.remove(path);
        List<String> failed = ownership.remove(loaded.routeIds);
        LOG.info("Route file {} removed: routes {} stopped{}", root.relativize(path), loaded.routeIds,
                failed.isEmpty() ? "" : " (could not remove " + failed + ")");
    }

    private List<String> addAll(List<RoutesBuilder> builders) throws Exception {
        List<String> ids = new ArrayList<>();
        try {
            for (RoutesBuilder builder : builders) {
                ids.addAll(ownership.add(builder));
            }
        } catch (Exception e) {
            ownership.remove(ids);
            throw e;
        }
        return ids;
    }

    private List<RoutesBuilder> parse(Path path, String content) throws Exception {
        Resource resource = ResourceHelper.fromString("file:" + path, content);
        return new ArrayList<>(PluginHelper.getRoutesLoader(camel).findRoutesBuilders(resource));
    }

    // Camel replaces a route whose id is taken; a file must never silently take another file's route.
    private void checkIds(Path path, List<RoutesBuilder> builders) throws Exception {
        Set<String> own = new HashSet<>(files.containsKey(path) ? files.get(path).routeIds : List.of());
        Set<String> seen = new HashSet<>();
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder routeBuilder) {
                for (RouteDefinition route : routeBuilder.configureRoutes(camel).getRoutes()) {
                    String id = route.getRouteId();
                    if (id == null) {
                        continue;
                    }
                    if (!seen.add(id)) {
                        throw new IllegalArgumentException("route id '" + id + "' is used twice in this file");
                    }
                    if (!own.contains(id) && camel.getRoute(id) != null) {
                        throw new IllegalArgumentException("route id '" + id + "' is already used by " + owner(id));
                    }
                }
            }
        }
    }

    private String owner(String routeId) {
        for (Map.Entry<Path, Loaded> entry : files.entrySet()) {
            if (entry.getValue().routeIds.contains(routeId)) {
                return "route file " + root.relativize(entry.getKey());
            }
        }
        return "a plugin or the core";
    }

    private Map<Path, String> readAll() {
        Map<Path, String> contents = new LinkedHashMap<>();
        if (!Files.isDirectory(root)) {
            return contents;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".camel.yaml"))
                    .sorted()
                    .forEach(p -> {
                        try {
                            contents.put(p, Files.readString(p, StandardCharsets.UTF_8));
                        } catch (IOException e) {
                            LOG.debug("Route file {} unreadable for now: {}", p, e.toString());
                        }
                    });
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("Cannot list route folder {}: {}", root, e.toString());
            // keep what is loaded rather than treat every file as deleted
            files.forEach((path, loaded) -> contents.put(path, loaded.content));
        }
        return contents;
    }

    private static boolean isConfiguration(String content) {
        return content != null && content.contains("routeConfiguration");
    }

    private static String message(Throwable e) {
        StringBuilder text = new StringBuilder();
        Throwable current = e;
        Set<Throwable> seen = new HashSet<>();
        while (current != null && seen.add(current)) {
            if (current.getMessage() != null && text.indexOf(current.getMessage()) < 0) {
                if (!text.isEmpty()) {
                    text.append(" <- ");
                }
                text.append(current.getMessage());
            }
            current = current.getCause();
        }
        return text.isEmpty() ? e.getClass().getName() : text.toString();
    }

    /** Route ids loaded from files. */
    public synchronized Collection<String> routeIds() {
        return files.values().stream().flatMap(l -> l.routeIds.stream()).toList();
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
