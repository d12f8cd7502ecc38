package org.homeconsole.clientmanager.registry;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Which agents exist, which node holds each one's socket, and their presence. One node keeps it in memory
 * ({@link InMemoryConnectionRegistry}); several nodes share it (Redis). Implementations are thread-safe.
 */
public interface ConnectionRegistry extends AutoCloseable {

    /**
     * Connects and starts what the registry does by itself (a shared registry: renewing this node's liveness).
     * Call once, before anything else; nothing to do for a registry in memory.
     */
    default void start() {
    }

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

    /**
     * A shared registry: marks offline the agents still registered online by nodes that stopped renewing their
     * liveness (crashed, partitioned), each exactly once across all nodes calling this, and returns those entries so
     * that the caller, and only it, reports them disconnected. Call periodically. A single node's registry has
     * nothing to sweep.
     */
    default List<ClientInfo> sweepLostNodes() {
        return List.of();
    }

    /**
     * Registers again a session this node still holds, after the shared registry lost its state (see the
     * state-lost callback of a shared registry), unless another live node registered the agent meanwhile.
     * Returns {@code true} when registered; {@code false} means the agent is now held elsewhere.
     */
    default boolean reannounce(ClientInfo client) {
        online(client);
        return true;
    }

    @Override
    default void close() {
    }
}
