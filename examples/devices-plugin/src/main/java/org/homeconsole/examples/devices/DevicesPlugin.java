package org.homeconsole.examples.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.NoSuchElementException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.homeconsole.api.plugin.Plugin;
import org.homeconsole.api.plugin.PluginContext;
import org.homeconsole.api.plugin.PluginInfo;
import org.homeconsole.api.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Example domain plugin: devices. Keeps devices in Storage (namespace {@code devices}), registers the
 * services {@code devices.register}, {@code devices.turn_on}, {@code devices.turn_off}, {@code devices.get}
 * and {@code devices.list}, publishes {@code device.state_changed} keyed by device id
 * (schemas/events/device-state-changed.schema.json), and serves {@code /api/devices} on the core's server.
 * It reaches nothing but its {@link PluginContext}.
 */
@PluginInfo(name = "devices", version = "1.0.0", description = "Example: devices kept in Storage, switched through services, REST and events")
public final class DevicesPlugin implements Plugin {

    static final String NAMESPACE = "devices";
    static final String STATE_CHANGED = "device.state_changed";
    private static final Logger LOG = LoggerFactory.getLogger(DevicesPlugin.class);

    private final ObjectMapper mapper = new ObjectMapper();
    private PluginContext context;

    @Override
    public void onLoad(PluginContext context) throws Exception {
        this.context = context;
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(NoSuchElementException.class).handled(true)
                        .process(e -> problem(e, 404, e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()));
                onException(IllegalArgumentException.class).handled(true)
                        .process(e -> problem(e, 400, e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()));

                rest("/api/devices").id("devices-rest")
                        .get().description("All devices").produces("application/json").routeId("rest-devices-list").to("direct:devices-list")
                        .get("/{id}").description("One device").produces("application/json").routeId("rest-devices-get").to("direct:devices-get")
                        .put("/{id}").description("Register or rename a device: {\"name\", \"type\"}").consumes("application/json")
                        .produces("application/json").routeId("rest-devices-register").to("direct:devices-register")
                        .post("/{id}/{command}").description("Switch a device: command on or off").produces("application/json")
                        .routeId("rest-devices-command").to("direct:devices-command");

                from("direct:devices-list").routeId("devices-list").process(e -> json(e, list()));
                from("direct:devices-get").routeId("devices-get").process(e -> json(e, get(e.getMessage().getHeader("id", String.class))));
                from("direct:devices-register").routeId("devices-register").process(e -> {
                    JsonNode body = mapper.readTree(e.getMessage().getBody(String.class) == null ? "{}" : e.getMessage().getBody(String.class));
                    json(e, register(e.getMessage().getHeader("id", String.class), body));
                });
                from("direct:devices-command").routeId("devices-command").process(e -> {
                    String command = e.getMessage().getHeader("command", String.class);
                    if (!"on".equals(command) && !"off".equals(command)) {
                        throw new IllegalArgumentException("command: must be 'on' or 'off'");
                    }
                    json(e, switchDevice(e.getMessage().getHeader("id", String.class), command));
                });
            }
        });
    }

    @Override
    public void onStart() {
        context.services().register("devices.register", args -> register(text(args, "device_id"), args));
        context.services().register("devices.turn_on", args -> switchDevice(deviceId(args), "on"));
        context.services().register("devices.turn_off", args -> switchDevice(deviceId(args), "off"));
        context.services().register("devices.get", args -> get(deviceId(args)));
        context.services().register("devices.list", args -> list());
        LOG.info("Devices plugin started: {} devices in storage", storage().listKeys(NAMESPACE).size());
    }

    ObjectNode register(String id, JsonNode body) {
        requireId(id);
        ObjectNode device = storage().get(NAMESPACE, id).map(JsonNode::deepCopy).map(ObjectNode.class::cast)
                .orElseGet(() -> mapper.createObjectNode().put("id", id).put("state", "off"));
        device.put("name", body.path("name").asText(device.path("name").asText(id)));
        device.put("type", body.path("type").asText(device.path("type").asText("switch")));
        storage().set(NAMESPACE, id, device);
        return device;
    }

    ObjectNode switchDevice(String id, String state) {
        requireId(id);
        ObjectNode device = storage().get(NAMESPACE, id).map(JsonNode::deepCopy).map(ObjectNode.class::cast)
                .orElseThrow(() -> new NoSuchElementException("unknown device '" + id + "'"));
        String previous = device.path("state").asText(null);
        device.put("state", state);
        storage().set(NAMESPACE, id, device);
        ObjectNode event = mapper.createObjectNode().put("device_id", id).put("state", state).put("previous", previous);
        context.events().publish(STATE_CHANGED, id, event).join();
        return mapper.createObjectNode().put("status", "ok").put("device_id", id).put("state", state);
    }

    JsonNode get(String id) {
        requireId(id);
        return storage().get(NAMESPACE, id).orElseThrow(() -> new NoSuchElementException("unknown device '" + id + "'"));
    }

    ArrayNode list() {
        ArrayNode devices = mapper.createArrayNode();
        for (String id : storage().listKeys(NAMESPACE)) {
            storage().get(NAMESPACE, id).ifPresent(devices::add);
        }
        return devices;
    }

    private Storage storage() {
        return context.storage();
    }

    // the seed calls turn_on("lamp_1"); accept that as well as {"device_id": "lamp_1"}
    private static String deviceId(JsonNode args) {
        return args != null && args.isTextual() ? args.asText() : text(args, "device_id");
    }

    private static String text(JsonNode args, String field) {
        if (args == null || !args.hasNonNull(field)) {
            throw new IllegalArgumentException(field + ": is required");
        }
        return args.get(field).asText();
    }

    private static void requireId(String id) {
        if (id == null || id.isBlank() || id.length() > 255) {
            throw new IllegalArgumentException("device_id: must be 1 to 255 characters");
        }
    }

    private void json(Exchange exchange, JsonNode body) throws Exception {
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(mapper.writeValueAsString(body));
    }

    private void problem(Exchange exchange, int status, String detail) throws Exception {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
        exchange.getMessage().setBody(mapper.writeValueAsString(mapper.createObjectNode()
                .put("type", "about:blank").put("status", status).put("detail", detail)));
    }
}
