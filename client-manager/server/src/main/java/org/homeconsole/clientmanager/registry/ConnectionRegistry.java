package org.homeconsole.clientmanager.registry;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Which agents exist, which node holds each one's socket, and their presence. One node keeps it in memory
 * ({@link InMemoryConnectionRegistry}); several nodes share it (Redis). Implementations are thread-safe.
 */
public interface ConnectionRegistry extends AutoCloseable {

    /** Registers a new session for {@code client.id()}, replacing whatever was there. */
    void online(ClientInfo client);

    /** Records a heartbeat of the session, if it is still the agent's current one. */
    void heartbeat(String agentId, String sessionId, Instant at);

    /**
     * Marks the agent offline, if {@code sessionId} is still its current session (a newer session that
     * replaced it stays online). Returns the updated entry when it changed.
     */
    Optional<ClientInfo> offline(String agentId, String sessionId, Instant at, String reason);

    Optional<ClientInfo> get(String agentId);

    /** Every known agent, online and offline, sorted by id. */
    List<ClientInfo> list();

    /** Forgets an agent; {@code true} when it was known. */
    boolean remove(String agentId);

    @Override
    default void close() {
    }
}
