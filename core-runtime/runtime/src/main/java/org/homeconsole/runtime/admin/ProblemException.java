package org.homeconsole.runtime.admin;

import java.util.List;
import org.homeconsole.schemas.SchemaValidator.Violation;

/**
 * An HTTP error to answer with an RFC 9457 problem body. Thrown by route beans; the shared
 * {@code core-problems} route configuration turns it into the response.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final List<Violation> violations;

    public ProblemException(int status, String title, String detail, List<Violation> violations) {
        super(detail);
        this.status = status;
        this.title = title;
        this.violations = violations == null ? List.of() : violations;
    }

    public static ProblemException badRequest(String field, String detail) {
        return new ProblemException(400, "Bad Request", field + ": " + detail, List.of(new Violation(field, detail)));
    }

    public static ProblemException invalid(List<Violation> violations) {
        Violation first = violations.get(0);
        return new ProblemException(400, "Bad Request", first.field() + ": " + first.message(), violations);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail, null);
    }

    public static ProblemException unauthorized() {
        return new ProblemException(401, "Unauthorized", "send the admin API key as 'Authorization: Bearer <key>'", null);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<Violation> violations() {
        return violations;
    }
}
