package org.homeconsole.api.services;

/** A service of that name is already registered (on this node or, named here, another one). */
public class DuplicateServiceException extends ServiceException {
    public DuplicateServiceException(String service, String owner) {
        super(service, "Service '" + service + "' is already registered" + (owner == null ? "" : " by " + owner), null);
    }
}
