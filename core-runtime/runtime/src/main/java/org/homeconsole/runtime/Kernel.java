package org.homeconsole.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.services.ServiceRegistry;
import org.homeconsole.api.state.StateEngine;
import org.homeconsole.api.storage.Storage;

/** The five kernel services of one node, as handed to plugins and route beans. */
public record Kernel(String nodeId, EventBus events, ServiceRegistry services, StateEngine state, Storage storage,
                     ObjectMapper mapper) {
}
