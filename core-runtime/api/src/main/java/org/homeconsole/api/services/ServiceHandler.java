package org.homeconsole.api.services;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One service = one function. Receives the caller's arguments as JSON and returns anything Jackson
 * can turn into JSON (or {@code null}). An exception thrown here reaches the caller as a
 * {@link ServiceCallException} carrying its class and message — also when the caller is on
 * another node.
 *
 * <p>Local calls run on the caller's thread; calls from other nodes run on the registry's worker
 * pool. A handler must be safe to call concurrently.
 */
@FunctionalInterface
public interface ServiceHandler {
    Object handle(JsonNode args) throws Exception;
}
