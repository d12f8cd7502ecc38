package org.homeconsole.runtime.admin;

import org.homeconsole.api.http.HttpProblem;
import java.util.List;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.NoSuchElementException;
import org.apache.camel.Exchange;
import org.homeconsole.schemas.SchemaValidator.Violation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders the exception caught by a route as an {@code application/problem+json} response (RFC 9457):
 * {@code {"type","title","status","detail","field","errors":[{"field","message"}]}}. Bean {@code problems},
 * used by the {@code core-problems} route configuration.
 */
public final class Problems {

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    private final ObjectMapper mapper;

    public Problems(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public void render(Exchange exchange) throws Exception {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ProblemException problem = toProblem(error);
        ObjectNode body = mapper.createObjectNode();
        body.put("type", "about:blank");
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.getMessage());
        if (!problem.violations().isEmpty()) {
            body.put("field", problem.violations().get(0).field());
            ArrayNode errors = body.putArray("errors");
            for (Violation v : problem.violations()) {
                errors.addObject().put("field", v.field()).put("message", v.message());
            }
        }
        // request headers (and form fields platform-http turned into headers) must not echo into the response
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, problem.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
        exchange.getMessage().setBody(mapper.writeValueAsString(body));
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> status >= 500 ? "Server Error" : "Client Error";
        };
    }

    private ProblemException toProblem(Throwable error) {
        if (error instanceof ProblemException problem) {
            return problem;
        }
        if (error instanceof HttpProblem problem) {
            List<Violation> violations = problem.field() == null ? null : List.of(new Violation(problem.field(), problem.getMessage()));
            String detail = problem.field() == null ? problem.getMessage() : problem.field() + ": " + problem.getMessage();
            return new ProblemException(problem.status(), title(problem.status()), detail, violations);
        }
        if (error instanceof NoSuchElementException) {
            return ProblemException.notFound(error.getMessage());
        }
        if (error instanceof IllegalStateException) {
            return new ProblemException(409, "Conflict", error.getMessage(), null);
        }
        if (error instanceof IllegalArgumentException) {
            return new ProblemException(400, "Bad Request", error.getMessage(), null);
        }
        LOG.error("Request failed", error);
        return new ProblemException(500, "Internal Server Error",
                error == null ? "unknown error" : error.getClass().getSimpleName() + ": " + error.getMessage(), null);
    }
}
