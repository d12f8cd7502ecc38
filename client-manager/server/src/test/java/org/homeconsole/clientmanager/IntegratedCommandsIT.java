package org.homeconsole.clientmanager;

import java.util.Map;

/** {@link AgentCommandsContract} in integrated mode (the core's port, REST under /api/client-manager, WS prefix). */
class IntegratedCommandsIT extends AgentCommandsContract {

    @Override
    Map<String, String> mode() {
        return Map.of("CLIENT_MANAGER_MODE", "integrated", "CLIENT_MANAGER_WS_PREFIX", "/client-manager");
    }
}
