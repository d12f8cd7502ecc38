package org.homeconsole.clientmanager.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the registry knows of one agent: its identity and labels from {@code hello}, where and since when
 * it is connected, its last heartbeat, and, once gone, when and why it left.
 *
 * @param id             agent id (from its token, confirmed by hello)
 * @param sessionId      id of the current (or last) socket
 * @param node           client-manager node holding the socket
 * @param status         {@code online} or {@code offline}
 * @param connectedSince when the current (or last) session was registered
 * @param lastHeartbeat  last heartbeat (or hello) received
 * @param remoteAddress  the agent's address as the node saw it
 * @param labels         the agent's labels
 * @param agent          hostname, os, arch, agent_version, protocol, capabilities
 * @param disconnectedAt when it went offline, or null
 * @param disconnectReason why it went offline, or null
 */
public record ClientInfo(
        String id,
        String sessionId,
        String node,
        String status,
        Instant connectedSince,
        Instant lastHeartbeat,
        String remoteAddress,
        Map<String, String> labels,
        AgentDetails agent,
        Instant disconnectedAt,
        String disconnectReason) {

    public static final String ONLINE = "online";
    public static final String OFFLINE = "offline";

    /** The agent's self-description from hello. */
    public record AgentDetails(String hostname, String os, String arch, String agentVersion, int protocol,
                               List<String> capabilities) {
    }

    public boolean online() {
        return ONLINE.equals(status);
    }

    public ClientInfo withHeartbeat(Instant at) {
        return new ClientInfo(id, sessionId, node, status, connectedSince, at, remoteAddress, labels, agent,
                disconnectedAt, disconnectReason);
    }

    public ClientInfo offline(Instant at, String reason) {
        return new ClientInfo(id, sessionId, node, OFFLINE, connectedSince, lastHeartbeat, remoteAddress, labels, agent,
                at, reason);
    }

    /** Whether every given label is set on this client with the same value. */
    public boolean hasLabels(Map<String, String> wanted) {
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
