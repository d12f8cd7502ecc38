package org.homeconsole.api.services;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Remote procedure calls between plugins, by name.
 *
 * <p>Lookup is O(1). A name registered on this node is called directly; a name registered on
 * another node (another core process or a remote plugin) is called over Kafka request/reply,
 * bounded by a timeout. Names are dotted by convention: {@code devices.turn_on}.
 */
public interface ServiceRegistry {

    /**
     * Registers a service.
     *
     * @throws DuplicateServiceException when the name is already registered here or on another node
     * @throws IllegalArgumentException when the name is blank
     */
    void register(String name, ServiceHandler handler);

    /** Removes a service registered on this node; {@code false} when it was not registered here. */
    boolean unregister(String name);

    /**
     * Calls a service and waits for its result, up to the registry's default timeout.
     *
     * @param args anything Jackson can turn into JSON, or {@code null}
     * @throws ServiceNotFoundException when no node has registered the name
     * @throws ServiceCallException when the service threw; carries its error class and message
     * @throws ServiceTimeoutException when a remote service did not answer in time
     */
    JsonNode call(String name, Object args);

    /** Calls a service without blocking; the future fails with the same exceptions as {@link #call}. */
    CompletableFuture<JsonNode> callAsync(String name, Object args, Duration timeout);

    /** Every service name known to this node: its own and those registered on other nodes. */
    Set<String> names();
}
