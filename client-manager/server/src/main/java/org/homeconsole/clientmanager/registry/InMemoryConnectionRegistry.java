package org.homeconsole.clientmanager.registry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The registry of a single client-manager node, in memory. Offline entries are kept (operators list
 * them) up to {@code maxOffline}; when there are more, the longest-gone are forgotten, down to nine tenths
 * of it, so that the scan this takes happens once per tenth of {@code maxOffline} disconnects, not on each.
 */
public final class InMemoryConnectionRegistry implements ConnectionRegistry {

    private final ConcurrentHashMap<String, AtomicReference<ClientInfo>> clients = new ConcurrentHashMap<>();
    private final int maxOffline;
    /** Entries now offline; every change of an entry's status is made under its key's lock in {@link #clients}. */
    private final AtomicInteger offlineCount = new AtomicInteger();
    /** Set while one thread trims: the others go on instead of waiting for it. */
    private final AtomicBoolean trimming = new AtomicBoolean();

    public InMemoryConnectionRegistry(int maxOffline) {
        if (maxOffline < 1) {
            throw new IllegalArgumentException("maxOffline must be at least 1, was " + maxOffline);
        }
        this.maxOffline = maxOffline;
    }

    @Override
    public void online(ClientInfo client) {
        clients.compute(client.id(), (id, ref) -> {
            if (ref == null) {
                count(null, client);
                return new AtomicReference<>(client);
            }
            count(ref.getAndSet(client), client);
            return ref;
        });
        trimOffline();
    }

    private void count(ClientInfo before, ClientInfo after) {
        int delta = (after != null && !after.online() ? 1 : 0) - (before != null && !before.online() ? 1 : 0);
        if (delta != 0) {
            offlineCount.addAndGet(delta);
        }
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
        ClientInfo[] changed = {null};
        // under the key's lock, so that an entry removed meanwhile is never counted offline
        clients.computeIfPresent(agentId, (id, ref) -> {
            while (true) {
                ClientInfo before = ref.get();
                if (!before.sessionId().equals(sessionId) || !before.online()) {
                    return ref;
                }
                ClientInfo after = before.offline(at, reason);
                if (ref.compareAndSet(before, after)) { // a heartbeat may change it between get and set
                    offlineCount.incrementAndGet();
                    changed[0] = after;
                    return ref;
                }
            }
        });
        if (changed[0] == null) {
            return Optional.empty();
        }
        trimOffline();
        return Optional.of(changed[0]);
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
        boolean[] removed = {false};
        clients.computeIfPresent(agentId, (id, ref) -> {
            count(ref.get(), null);
            removed[0] = true;
            return null;
        });
        return removed[0];
    }

    /** How many entries are offline now. */
    int offlineCount() {
        return offlineCount.get();
    }

    private void trimOffline() {
        if (offlineCount.get() <= maxOffline) {
            return;
        }
        if (!trimming.compareAndSet(false, true)) {
            return;
        }
        try {
            int keep = maxOffline - maxOffline / 10;
            if (offlineCount.get() <= maxOffline) {
                return;
            }
            List<ClientInfo> offline = new ArrayList<>();
            clients.values().forEach(ref -> {
                ClientInfo c = ref.get();
                if (!c.online()) {
                    offline.add(c);
                }
            });
            offline.sort(Comparator.comparing(ClientInfo::disconnectedAt));
            for (int i = 0; i < offline.size() - keep; i++) {
                clients.computeIfPresent(offline.get(i).id(), (id, ref) -> {
                    if (ref.get().online()) {
                        return ref;
                    }
                    offlineCount.decrementAndGet();
                    return null;
                });
            }
        } finally {
            trimming.set(false);
        }
    }
}
