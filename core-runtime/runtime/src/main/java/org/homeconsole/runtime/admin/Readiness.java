package org.homeconsole.runtime.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.camel.Exchange;

/**
 * {@code /health} and {@code /ready} (bean {@code readiness}). Health says the process serves HTTP. Ready
 * answers 200 only once the broker, the storage and every plugin have started, else 503 with the reasons.
 * Route files that failed to load are listed as warnings without making the node unready.
 */
public final class Readiness {

    /** One readiness condition: empty when satisfied, else why not. */
    public interface Check extends Supplier<List<String>> {
    }

    private final List<Check> checks;
    private final Supplier<List<String>> warnings;
    private final ObjectMapper mapper;
    private volatile boolean started;

    public Readiness(List<Check> checks, Supplier<List<String>> warnings, ObjectMapper mapper) {
        this.checks = checks;
        this.warnings = warnings;
        this.mapper = mapper;
    }

    /** Marks start-up as complete; until then the node is not ready. */
    public void markStarted() {
        started = true;
    }

    public List<String> reasons() {
        List<String> reasons = new ArrayList<>();
        if (!started) {
            reasons.add("start-up is not complete");
        }
        for (Check check : checks) {
            try {
                reasons.addAll(check.get());
            } catch (RuntimeException e) {
                reasons.add(e.toString());
            }
        }
        return reasons;
    }

    public void health(Exchange exchange) throws Exception {
        ObjectNode body = mapper.createObjectNode().put("status", "UP");
        respond(exchange, 200, body);
    }

    public void ready(Exchange exchange) throws Exception {
        List<String> reasons = reasons();
        ObjectNode body = mapper.createObjectNode().put("status", reasons.isEmpty() ? "READY" : "NOT_READY");
        ArrayNode list = body.putArray("reasons");
        reasons.forEach(list::add);
        ArrayNode warn = body.putArray("warnings");
        warnings.get().forEach(warn::add);
        respond(exchange, reasons.isEmpty() ? 200 : 503, body);
    }

    private void respond(Exchange exchange, int status, ObjectNode body) throws Exception {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(mapper.writeValueAsString(body));
    }
}
