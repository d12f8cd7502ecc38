package org.homeconsole.api.services;

import java.time.Duration;

/** A remote service did not answer within the timeout. */
public class ServiceTimeoutException extends ServiceException {
    public ServiceTimeoutException(String service, String node, Duration timeout) {
        super(service, "Service '" + service + "' on node '" + node + "' did not answer within " + timeout.toMillis() + " ms", null);
    }
}
