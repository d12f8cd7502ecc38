package org.homeconsole.clientmanager;

import java.util.Map;

/** {@link AgentCommandsContract} in standalone mode (own port, REST under /api). */
class StandaloneCommandsIT extends AgentCommandsContract {

    @Override
    Map<String, String> mode() {
        return Map.of("CLIENT_MANAGER_MODE", "standalone");
    }
}
