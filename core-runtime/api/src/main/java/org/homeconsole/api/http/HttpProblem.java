package org.homeconsole.api.http;

/**
 * Thrown from a bean behind an HTTP route to answer with an {@code application/problem+json} body
 * (RFC 9457) of the given status; {@link #field()} names the request field at fault, when there is one.
 * The core's {@code core-problems} route configuration renders it.
 */
public class HttpProblem extends RuntimeException {

    private final int status;
    private final String field;

    public HttpProblem(int status, String detail, String field) {
        super(detail);
        this.status = status;
        this.field = field;
    }

    public static HttpProblem badRequest(String field, String detail) {
        return new HttpProblem(400, detail, field);
    }

    public static HttpProblem notFound(String detail) {
        return new HttpProblem(404, detail, null);
    }

    public static HttpProblem conflict(String detail) {
        return new HttpProblem(409, detail, null);
    }

    public int status() {
        return status;
    }

    /** The request field the problem is about, or null. */
    public String field() {
        return field;
    }
}
