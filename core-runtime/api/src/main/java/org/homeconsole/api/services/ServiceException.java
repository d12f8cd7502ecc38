package org.homeconsole.api.services;

/** Base of the ServiceRegistry's errors. */
public class ServiceException extends RuntimeException {
    private final String service;

    public ServiceException(String service, String message, Throwable cause) {
        super(message, cause);
        this.service = service;
    }

    /** The service name the error is about. */
    public String service() {
        return service;
    }
}
