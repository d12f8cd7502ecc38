package org.homeconsole.runtime.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.homeconsole.api.services.ServiceRegistry;
import org.homeconsole.api.state.StateEngine;
import org.homeconsole.api.storage.Storage;
import org.homeconsole.runtime.plugins.PluginManager;
import org.homeconsole.runtime.routes.RouteFileLoader;
import org.homeconsole.schemas.SchemaValidator;

/**
 * The admin API's parts (bean {@code adminApi}); {@code routes/core/core-admin-*.camel.yaml} wire them to
 * REST. Every method answers JSON on the exchange or throws a {@link ProblemException}.
 */
public final class AdminApi {

    private static final int MAX_NAME = 255;

    private final AdminKey key;
    private final Storage storage;
    private final StateEngine state;
    private final ServiceRegistry services;
    private final PluginManager plugins;
    private final RouteFileLoader routeFiles;
    private final CamelContext camel;
    private final ObjectMapper mapper;

    public AdminApi(AdminKey key, Storage storage, StateEngine state, ServiceRegistry services, PluginManager plugins,
                    RouteFileLoader routeFiles, CamelContext camel, ObjectMapper mapper) {
        this.key = key;
        this.storage = storage;
        this.state = state;
        this.services = services;
        this.plugins = plugins;
        this.routeFiles = routeFiles;
        this.camel = camel;
        this.mapper = mapper;
    }

    /** 401 unless the request carries {@code Authorization: Bearer <admin key>}. */
    public void authorize(Exchange exchange) {
        if (!key.matchesAuthorization(exchange.getMessage().getHeader("Authorization", String.class))) {
            throw ProblemException.unauthorized();
        }
        // the key must not travel further down the route (logs, tracing, proxied calls)
        exchange.getMessage().removeHeader("Authorization");
    }

    /** POST storage/set {"namespace","key","value"}. */
    public void storageSet(Exchange exchange) throws JsonProcessingException {
        JsonNode body = readBody(exchange);
        List<SchemaValidator.Violation> violations = SchemaValidator.validate("admin/storage-set", body);
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations);
        }
        String namespace = body.get("namespace").asText();
        String storageKey = body.get("key").asText();
        storage.set(namespace, storageKey, body.get("value"));
        ObjectNode answer = mapper.createObjectNode().put("namespace", namespace).put("key", storageKey);
        answer.set("value", body.get("value"));
        json(exchange, 200, answer);
    }

    /** GET storage/{namespace}/{key}. */
    public void storageGet(Exchange exchange) throws JsonProcessingException {
        String namespace = pathName(exchange, "namespace");
        String storageKey = pathName(exchange, "key");
        JsonNode value = storage.get(namespace, storageKey)
                .orElseThrow(() -> ProblemException.notFound("no value under namespace '" + namespace + "' key '" + storageKey + "'"));
        ObjectNode answer = mapper.createObjectNode().put("namespace", namespace).put("key", storageKey);
        answer.set("value", value);
        json(exchange, 200, answer);
    }

    /** GET storage/{namespace}: the keys. */
    public void storageKeys(Exchange exchange) throws JsonProcessingException {
        String namespace = pathName(exchange, "namespace");
        ObjectNode answer = mapper.createObjectNode().put("namespace", namespace);
        ArrayNode keys = answer.putArray("keys");
        storage.listKeys(namespace).forEach(keys::add);
        json(exchange, 200, answer);
    }

    /** DELETE storage/{namespace}/{key}: 204, or 404 when absent. */
    public void storageDelete(Exchange exchange) {
        String namespace = pathName(exchange, "namespace");
        String storageKey = pathName(exchange, "key");
        if (!storage.delete(namespace, storageKey)) {
            throw ProblemException.notFound("no value under namespace '" + namespace + "' key '" + storageKey + "'");
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        exchange.getMessage().setBody(null);
    }

    /** GET plugins. */
    public void pluginList(Exchange exchange) throws JsonProcessingException {
        ObjectNode answer = mapper.createObjectNode();
        answer.set("plugins", mapper.valueToTree(plugins.list()));
        answer.set("problems", mapper.valueToTree(plugins.problems()));
        json(exchange, 200, answer);
    }

    /** GET plugins/{name}. */
    public void pluginGet(Exchange exchange) throws JsonProcessingException {
        json(exchange, 200, mapper.valueToTree(plugins.get(pathName(exchange, "name"))));
    }

    /** POST plugins/{name}/{action}: load, start, stop or unload. */
    public void pluginAction(Exchange exchange) throws JsonProcessingException {
        String name = pathName(exchange, "name");
        String action = pathName(exchange, "action");
        Object status = switch (action) {
            case "load" -> plugins.load(name);
            case "start" -> plugins.start(name);
            case "stop" -> plugins.stop(name);
            case "unload" -> plugins.unload(name);
            default -> throw ProblemException.badRequest("action", "must be one of load, start, stop, unload");
        };
        json(exchange, 200, mapper.valueToTree(status));
    }

    /** GET routes: every Camel route with its state and counters, and the route files. */
    public void routes(Exchange exchange) throws JsonProcessingException {
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode routes = answer.putArray("routes");
        for (Route route : camel.getRoutes()) {
            ServiceStatus status = camel.getRouteController().getRouteStatus(route.getRouteId());
            ObjectNode node = routes.addObject()
                    .put("id", route.getRouteId())
                    .put("from", route.getEndpoint().getEndpointUri())
                    .put("state", status == null ? "Unknown" : status.name())
                    .put("uptimeMillis", route.getUptimeMillis());
            if (route.getSourceResource() != null) {
                node.put("source", route.getSourceResource().getLocation());
            }
            if (route.getGroup() != null) {
                node.put("group", route.getGroup());
            }
        }
        answer.set("files", mapper.valueToTree(routeFiles.status()));
        json(exchange, 200, answer);
    }

    /** GET state?prefix=: a snapshot of the StateEngine. */
    public void stateList(Exchange exchange) throws JsonProcessingException {
        String prefix = exchange.getMessage().getHeader("prefix", "", String.class);
        ObjectNode answer = mapper.createObjectNode();
        answer.set("state", mapper.valueToTree(state.list(prefix)));
        json(exchange, 200, answer);
    }

    /** GET services: every service name known to this node. */
    public void serviceNames(Exchange exchange) throws JsonProcessingException {
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode names = answer.putArray("services");
        services.names().stream().sorted().forEach(names::add);
        json(exchange, 200, answer);
    }

    private JsonNode readBody(Exchange exchange) {
        String text = exchange.getMessage().getBody(String.class);
        if (text == null || text.isBlank()) {
            throw ProblemException.badRequest("(body)", "a JSON body is required");
        }
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("(body)", "not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String pathName(Exchange exchange, String header) {
        String value = exchange.getMessage().getHeader(header, String.class);
        if (value == null || value.isBlank()) {
            throw ProblemException.badRequest(header, "is required");
        }
        if (value.length() > MAX_NAME) {
            throw ProblemException.badRequest(header, "is longer than " + MAX_NAME + " characters");
        }
        return value;
    }

    private void json(Exchange exchange, int status, JsonNode body) throws JsonProcessingException {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(mapper.writeValueAsString(body));
    }
}
