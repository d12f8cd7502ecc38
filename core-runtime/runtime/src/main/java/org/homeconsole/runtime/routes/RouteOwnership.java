package org.homeconsole.runtime.routes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.rest.RestDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds and removes groups of routes in the running context — the routes of one plugin or one route
 * file — without touching any other route. All changes go through one lock so that route ids added by
 * a group can be told apart from those of another.
 */
public final class RouteOwnership {

    private static final Logger LOG = LoggerFactory.getLogger(RouteOwnership.class);

    private final CamelContext camel;
    private final ReentrantLock lock = new ReentrantLock();
    /** REST definitions added together with a route, so they can be dropped when it is removed */
    private final Map<String, List<RestDefinition>> restsByRoute = new HashMap<>();

    public RouteOwnership(CamelContext camel) {
        this.camel = camel;
    }

    /**
     * Adds routes and returns the ids of the routes they created. If adding fails part-way, the routes
     * already created are removed again before the error is thrown.
     */
    public List<String> add(RoutesBuilder builder) throws Exception {
        lock.lock();
        try {
            Set<String> before = routeIds();
            int restsBefore = rests().size();
            try {
                // a route file's routeConfiguration is not added by addRoutes on a running context
                if (builder instanceof RouteConfigurationsBuilder configurations) {
                    configurations.addRouteConfigurationsToCamelContext(camel);
                }
                camel.addRoutes(builder);
            } catch (Exception | LinkageError e) {
                List<String> partial = new ArrayList<>(routeIds());
                partial.removeAll(before);
                removeQuietly(partial);
                trimRests(restsBefore);
                throw e instanceof Exception ex ? ex : new IllegalStateException(e);
            }
            List<String> added = new ArrayList<>(routeIds());
            added.removeAll(before);
            if (rests().size() != restsBefore) {
                List<RestDefinition> newRests = List.copyOf(rests().subList(restsBefore, rests().size()));
                added.forEach(id -> restsByRoute.put(id, newRests));
                refreshApiDocument();
            }
            return added;
        } finally {
            lock.unlock();
        }
    }

    /** Stops and removes routes; returns the ids that could not be removed. */
    public List<String> remove(List<String> routeIds) {
        lock.lock();
        try {
            List<String> failed = new ArrayList<>();
            int restsBefore = rests().size();
            for (String id : routeIds) {
                try {
                    if (camel.getRoute(id) != null) {
                        camel.getRouteController().stopRoute(id);
                        if (!camel.removeRoute(id)) {
                            failed.add(id);
                        }
                    }
                    removeRestFor(id);
                } catch (Exception e) {
                    LOG.warn("Could not remove route {}: {}", id, e.toString());
                    failed.add(id);
                }
            }
            if (rests().size() != restsBefore) {
                refreshApiDocument();
            }
            return failed;
        } finally {
            lock.unlock();
        }
    }

    // The OpenAPI processor renders the document once, when its route starts: restart that route so the
    // document shows the REST operations just added or removed.
    private void refreshApiDocument() {
        for (Route route : camel.getRoutes()) {
            if (route.getEndpoint().getEndpointUri().startsWith("rest-api:")) {
                try {
                    camel.getRouteController().stopRoute(route.getRouteId());
                    camel.getRouteController().startRoute(route.getRouteId());
                } catch (Exception e) {
                    LOG.warn("Could not refresh the OpenAPI document: {}", e.toString());
                }
            }
        }
    }

    private void removeQuietly(List<String> ids) {
        if (!ids.isEmpty()) {
            remove(ids);
        }
    }

    // REST definitions stay in the model after their route is removed; drop them so that the OpenAPI
    // document and a re-added file do not see stale or duplicate operations.
    private void removeRestFor(String routeId) {
        List<RestDefinition> owned = restsByRoute.remove(routeId);
        if (owned != null) {
            rests().removeIf(rest -> owned.stream().anyMatch(o -> o == rest));
        }
    }

    private void trimRests(int size) {
        List<RestDefinition> rests = rests();
        while (rests.size() > size) {
            rests.remove(rests.size() - 1);
        }
    }

    private List<RestDefinition> rests() {
        return ((ModelCamelContext) camel).getRestDefinitions();
    }

    private Set<String> routeIds() {
        Set<String> ids = new HashSet<>();
        for (Route route : camel.getRoutes()) {
            ids.add(route.getRouteId());
        }
        return ids;
    }
}
