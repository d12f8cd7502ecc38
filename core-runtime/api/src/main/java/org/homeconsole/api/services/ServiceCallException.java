package org.homeconsole.api.services;

/**
 * The called service threw. Carries the callee's exception class name and message; for a local
 * call the original exception is also the cause.
 */
public class ServiceCallException extends ServiceException {
    private final String errorType;
    private final String errorMessage;

    public ServiceCallException(String service, String errorType, String errorMessage, Throwable cause) {
        super(service, "Service '" + service + "' failed: " + errorType + ": " + errorMessage, cause);
        this.errorType = errorType;
        this.errorMessage = errorMessage;
    }

    /** Fully qualified class name of the callee's exception. */
    public String errorType() {
        return errorType;
    }

    /** The callee's exception message (may be {@code null}). */
    public String errorMessage() {
        return errorMessage;
    }
}
