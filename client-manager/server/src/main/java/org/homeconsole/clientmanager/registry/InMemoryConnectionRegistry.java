package org.homeconsole.clientmanager.registry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The registry of a single client-manager node, in memory. Offline entries are kept (operators list
 * them) up to {@code maxOffline}; beyond that the longest-gone are forgotten.
 */
public final class InMemoryConnectionRegistry implements ConnectionRegistry {

    private final ConcurrentHashMap<String, AtomicReference<ClientInfo>> clients = new ConcurrentHashMap<>();
    private final int maxOffline;

    public InMemoryConnectionRegistry(int maxOffline) {
        this.maxOffline = maxOffline;
    }

    @Override
    public void online(ClientInfo client) {
        clients.compute(client.id(), (id, ref) -> {
            if (ref == null) {
                return new AtomicReference<>(client);
            }
            ref.set(client);
            return ref;
        });
    }

    @Override
    public void heartbeat(String agentId, String sessionId, Instant at) {
        AtomicReference<ClientInfo> ref = clients.get(agentId);
        if (ref != null) {
            ref.updateAndGet(c -> c.sessionId().equals(sessionId) && c.online() ? c.withHeartbeat(at) : c);
        }
    }

    @Override
    public Optional<ClientInfo> offline(String agentId, String sessionId, Instant at, String reason) {
        AtomicReference<ClientInfo> ref = clients.get(agentId);
        if (ref == null) {
            return Optional.empty();
        }
        ClientInfo before = ref.get();
        if (!before.sessionId().equals(sessionId) || !before.online()) {
            return Optional.empty();
        }
        ClientInfo after = before.offline(at, reason);
        if (!ref.compareAndSet(before, after)) {
            return offline(agentId, sessionId, at, reason);
        }
        trimOffline();
        return Optional.of(after);
    }

    @Override
    public Optional<ClientInfo> get(String agentId) {
        AtomicReference<ClientInfo> ref = clients.get(agentId);
        return ref == null ? Optional.empty() : Optional.of(ref.get());
    }

    @Override
    public List<ClientInfo> list() {
        List<ClientInfo> all = new ArrayList<>(clients.size());
        clients.values().forEach(ref -> all.add(ref.get()));
        all.sort(Comparator.comparing(ClientInfo::id));
        return all;
    }

    @Override
    public boolean remove(String agentId) {
        return clients.remove(agentId) != null;
    }

    private void trimOffline() {
        if (clients.size() <= maxOffline) {
            return;
        }
        List<ClientInfo> offline = new ArrayList<>();
        clients.values().forEach(ref -> {
            ClientInfo c = ref.get();
            if (!c.online()) {
                offline.add(c);
            }
        });
        if (offline.size() <= maxOffline) {
            return;
        }
        offline.sort(Comparator.comparing(ClientInfo::disconnectedAt));
        for (int i = 0; i < offline.size() - maxOffline; i++) {
            ClientInfo gone = offline.get(i);
            clients.computeIfPresent(gone.id(), (id, ref) -> ref.get().online() ? ref : null);
        }
    }
}
