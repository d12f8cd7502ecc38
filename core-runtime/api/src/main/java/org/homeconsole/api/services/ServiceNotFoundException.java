package org.homeconsole.api.services;

/** No node has registered a service of that name. */
public class ServiceNotFoundException extends ServiceException {
    public ServiceNotFoundException(String service) {
        super(service, "No service registered under the name '" + service + "'", null);
    }
}
