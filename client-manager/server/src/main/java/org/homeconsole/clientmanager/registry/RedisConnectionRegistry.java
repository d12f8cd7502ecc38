package org.homeconsole.clientmanager.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The connection registry several client-manager nodes share, kept in Redis: which agents exist, which node holds
 * each one's socket, and whether that node is alive.
 *
 * <h2>Keys</h2>
 * Under a prefix {@code P} (e.g. {@code <topicPrefix>:cm:}):
 * <ul>
 *   <li>{@code P client:<agent>} — a hash per agent: {@code id}, {@code session}, {@code node}, {@code inc} (the
 *       registering node's incarnation), {@code status}, {@code since}, {@code hb}, {@code dat} (epoch ms),
 *       {@code addr}, {@code reason}, {@code labels} and {@code agent} (JSON);</li>
 *   <li>{@code P clients} — the set of agent ids, and {@code P offline} — the offline ones by the time they went away
 *       (epoch ms), so that the longest-gone can be forgotten beyond {@code maxOffline};</li>
 *   <li>{@code P node:<node>} — the node's liveness: its incarnation id, with a TTL ({@code livenessTtl}) the
 *       registry renews every third of it;</li>
 *   <li>{@code P inc:<incarnation>} — the agents a node incarnation registered that are still online, and
 *       {@code P incs} — incarnation → node, both only for {@link #sweepLostNodes()}.</li>
 * </ul>
 * Writes that depend on what is there (heartbeat, offline, sweep, replace) are Lua scripts, so they are atomic
 * across nodes.
 *
 * <h2>Lost nodes</h2>
 * An entry is alive while its node's liveness key holds the incarnation that wrote it. When a node dies (or restarts
 * under the same id), its entries read as {@code offline} with reason {@code node <id> lost} within the liveness TTL,
 * computed on read; {@link #sweepLostNodes()} then marks them offline durably, each exactly once across all nodes.
 *
 * <h2>Redis losing its state</h2>
 * The renewal notices that this node's liveness key had vanished (Redis restarted without persistence, or the key
 * expired because renewals could not get through) and calls {@code onStateLost} on a thread of its own; the node then
 * {@link #reannounce(ClientInfo) re-announces} the sessions it still holds. While Redis is unreachable, calls fail
 * fast with {@link RegistryUnavailableException} and the registry reconnects by itself.
 *
 * <p>Thread-safe; one Redis connection, shared. {@link #heartbeat} does not wait for Redis. Millisecond precision for
 * times. Needs Redis 6.2 or later, not Redis Cluster (scripts reach keys of several agents and nodes).
 */
public final class RedisConnectionRegistry implements ConnectionRegistry {

    public static final Duration DEFAULT_LIVENESS_TTL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Offline entries kept (operators list them) before the longest-gone are forgotten, as a single node keeps. */
    public static final int DEFAULT_MAX_OFFLINE = 100_000;
    /** Offline ids one trim script handles at most. */
    private static final int TRIM_CHUNK = 1_000;
    /** How often each node trims the offline agents (off the renewal thread: a slow trim must not cost liveness). */
    private static final long TRIM_PERIOD_MS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(RedisConnectionRegistry.class);
    private static final int READ_BATCH = 256;
    private static final long FAILURE_LOG_INTERVAL_MS = 10_000;
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {
    };

    /** The hash fields scripts return, in this order (HMGET: values only, so a list moves half the strings). */
    private static final List<String> FIELDS = List.of("id", "session", "node", "inc", "status", "since", "hb", "addr",
            "labels", "agent", "dat", "reason");
    /** {@link #FIELDS} as a Lua table, put where a script says {@code FIELDS}. */
    private static final String LUA_FIELDS = "{'" + String.join("', '", FIELDS) + "'}";

    // KEYS: client hash, clients set, own incarnation set, incs hash
    // ARGV: id, incarnation, node, prefix, mode (replace|reannounce), status, field/value pairs...
    private static final Script ONLINE = new Script("""
            local cur = redis.call('HMGET', KEYS[1], 'inc', 'status', 'node')
            if ARGV[5] == 'reannounce' and cur[1] and cur[1] ~= ARGV[2] and cur[2] == 'online' and cur[3] then
              if redis.call('GET', ARGV[4] .. 'node:' .. cur[3]) == cur[1] then return 0 end
            end
            if cur[1] and cur[1] ~= ARGV[2] then redis.call('SREM', ARGV[4] .. 'inc:' .. cur[1], ARGV[1]) end
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], unpack(ARGV, 7))
            redis.call('SADD', KEYS[2], ARGV[1])
            if ARGV[6] == 'online' then
              redis.call('SADD', KEYS[3], ARGV[1])
              redis.call('HSET', KEYS[4], ARGV[2], ARGV[3])
              redis.call('ZREM', ARGV[4] .. 'offline', ARGV[1])
            else
              redis.call('SREM', KEYS[3], ARGV[1])
              redis.call('ZADD', ARGV[4] .. 'offline', redis.call('HGET', KEYS[1], 'dat') or 0, ARGV[1])
            end
            return 1
            """);

    // KEYS: client hash; ARGV: session, heartbeat ms
    private static final Script HEARTBEAT = new Script("""
            local cur = redis.call('HMGET', KEYS[1], 'session', 'status')
            if cur[1] == ARGV[1] and cur[2] == 'online' then
              redis.call('HSET', KEYS[1], 'hb', ARGV[2])
              return 1
            end
            return 0
            """);

    // KEYS: client hash; ARGV: session, at ms, reason, has reason (1|0), prefix, id
    private static final Script OFFLINE = new Script("""
            local cur = redis.call('HMGET', KEYS[1], 'session', 'status', 'inc')
            if cur[1] ~= ARGV[1] or cur[2] ~= 'online' then return {} end
            redis.call('HSET', KEYS[1], 'status', 'offline', 'dat', ARGV[2])
            if ARGV[4] == '1' then
              redis.call('HSET', KEYS[1], 'reason', ARGV[3])
            else
              redis.call('HDEL', KEYS[1], 'reason')
            end
            if cur[3] then redis.call('SREM', ARGV[5] .. 'inc:' .. cur[3], ARGV[6]) end
            redis.call('ZADD', ARGV[5] .. 'offline', ARGV[2], ARGV[6])
            return redis.call('HMGET', KEYS[1], unpack(FIELDS))
            """);

    // KEYS: client hash; ARGV: prefix → {FIELDS, liveness value of the entry's node} or {}
    private static final Script GET = new Script("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
            local h = redis.call('HMGET', KEYS[1], unpack(FIELDS))
            local live = false
            if h[3] then live = redis.call('GET', ARGV[1] .. 'node:' .. h[3]) end
            return {h, live}
            """);

    // KEYS: client hashes → the FIELDS of each (all nil when gone)
    private static final Script READ_MANY = new Script("""
            local f = FIELDS
            local out = {}
            for i, key in ipairs(KEYS) do out[i] = redis.call('HMGET', key, unpack(f)) end
            return out
            """);

    // KEYS: client hash, clients set; ARGV: id, prefix
    private static final Script REMOVE = new Script("""
            local inc = redis.call('HGET', KEYS[1], 'inc')
            if inc then redis.call('SREM', ARGV[2] .. 'inc:' .. inc, ARGV[1]) end
            local n = redis.call('DEL', KEYS[1])
            redis.call('SREM', KEYS[2], ARGV[1])
            redis.call('ZREM', ARGV[2] .. 'offline', ARGV[1])
            return n
            """);

    // KEYS: client hash, the dead incarnation's set; ARGV: dead incarnation, prefix, id, now ms
    private static final Script SWEEP_ONE = new Script("""
            local cur = redis.call('HMGET', KEYS[1], 'inc', 'status', 'node', 'hb')
            if cur[1] ~= ARGV[1] or cur[2] ~= 'online' then
              redis.call('SREM', KEYS[2], ARGV[3])
              return {}
            end
            local node = cur[3] or '?'
            if redis.call('GET', ARGV[2] .. 'node:' .. node) == ARGV[1] then return {} end
            redis.call('HSET', KEYS[1], 'status', 'offline', 'dat', cur[4] or ARGV[4], 'reason', 'node ' .. node .. ' lost')
            redis.call('SREM', KEYS[2], ARGV[3])
            redis.call('ZADD', ARGV[2] .. 'offline', cur[4] or ARGV[4], ARGV[3])
            return redis.call('HMGET', KEYS[1], unpack(FIELDS))
            """);

    // KEYS: offline sorted set, clients set
    // ARGV: threshold (trim only above it), how many to keep, prefix, most ids to handle in this call
    // → {entries deleted, ids handled}; a caller goes on while a call handled as many as it was allowed
    private static final Script TRIM_OFFLINE = new Script("""
            local n = redis.call('ZCARD', KEYS[1])
            if n <= tonumber(ARGV[1]) then return {0, 0} end
            local count = math.min(n - tonumber(ARGV[2]), tonumber(ARGV[4]))
            local removed = 0
            local ids = redis.call('ZRANGE', KEYS[1], 0, count - 1)
            for _, id in ipairs(ids) do
              local key = ARGV[3] .. 'client:' .. id
              if redis.call('HGET', key, 'status') ~= 'online' then
                removed = removed + redis.call('DEL', key)
                redis.call('SREM', KEYS[2], id)
              end
              redis.call('ZREM', KEYS[1], id)
            end
            return {removed, #ids}
            """);

    // KEYS: incarnation set, incs hash; ARGV: incarnation, its node's liveness key
    private static final Script FORGET_INCARNATION = new Script("""
            if redis.call('SCARD', KEYS[1]) == 0 and redis.call('GET', ARGV[2]) ~= ARGV[1] then
              redis.call('HDEL', KEYS[2], ARGV[1])
              return 1
            end
            return 0
            """);

    // KEYS: liveness key; ARGV: incarnation
    private static final Script RELEASE = new Script("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """);

    private final String redisUri;
    private final int maxOffline;
    private final String nodeId;
    private final String prefix;
    private final Duration livenessTtl;
    private final Duration commandTimeout;
    private final Runnable onStateLost;
    private final String incarnation = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private final ObjectMapper json = new ObjectMapper();

    private final String clientsKey;
    private final String incarnationsKey;
    private final String livenessKey;
    private final String ownIncarnationKey;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stateLostQueued = new AtomicBoolean();
    private final AtomicLong heartbeatFailures = new AtomicLong();
    private final AtomicLong heartbeatFailureLoggedAt = new AtomicLong();
    private final AtomicLong renewFailures = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean established;

    private ClientResources resources;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private volatile RedisAsyncCommands<String, String> redis;
    private Disposable activations;
    private ScheduledExecutorService renewer;
    private ScheduledExecutorService trimmer;
    private ExecutorService notifier;

    /**
     * @param redisUri       {@code redis://[user:password@]host:port[/db]} (or {@code rediss://})
     * @param nodeId         this node; {@link #online} accepts only entries of this node
     * @param keyPrefix      prefix of every key, e.g. {@code homeconsole:cm:} (a {@code :} is added when missing)
     * @param livenessTtl    how long this node's entries stay alive without a renewal; renewed every third of it
     * @param commandTimeout how long a call waits for Redis before {@link RegistryUnavailableException}
     * @param onStateLost    called (on a thread of the registry's) when this node's liveness key had vanished, so the
     *                       node can {@link #reannounce} the sessions it holds; may be null
     */
    public RedisConnectionRegistry(String redisUri, String nodeId, String keyPrefix, Duration livenessTtl,
                                   Duration commandTimeout, Runnable onStateLost) {
        this(redisUri, nodeId, keyPrefix, livenessTtl, commandTimeout, DEFAULT_MAX_OFFLINE, onStateLost);
    }

    /**
     * @param maxOffline offline entries kept; when there are more, every node forgets the longest-gone every 30 s,
     *                   down to nine tenths of it (entries written offline before this was added are not counted)
     */
    public RedisConnectionRegistry(String redisUri, String nodeId, String keyPrefix, Duration livenessTtl,
                                   Duration commandTimeout, int maxOffline, Runnable onStateLost) {
        if (maxOffline < 1) {
            throw new IllegalArgumentException("maxOffline must be at least 1, was " + maxOffline);
        }
        this.maxOffline = maxOffline;
        this.redisUri = Objects.requireNonNull(redisUri, "redisUri");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        String p = Objects.requireNonNull(keyPrefix, "keyPrefix");
        this.prefix = p.isEmpty() || p.endsWith(":") ? p : p + ":";
        if (livenessTtl.toMillis() < 300) {
            throw new IllegalArgumentException("livenessTtl must be at least 300 ms, not " + livenessTtl);
        }
        this.livenessTtl = livenessTtl;
        this.commandTimeout = commandTimeout;
        this.onStateLost = onStateLost != null ? onStateLost : () -> { };
        this.clientsKey = prefix + "clients";
        this.incarnationsKey = prefix + "incs";
        this.livenessKey = livenessKey(nodeId);
        this.ownIncarnationKey = incarnationKey(incarnation);
    }

    /** With {@link #DEFAULT_LIVENESS_TTL} and {@link #DEFAULT_COMMAND_TIMEOUT}. */
    public RedisConnectionRegistry(String redisUri, String nodeId, String keyPrefix, Runnable onStateLost) {
        this(redisUri, nodeId, keyPrefix, DEFAULT_LIVENESS_TTL, DEFAULT_COMMAND_TIMEOUT, onStateLost);
    }

    public String nodeId() {
        return nodeId;
    }

    public String keyPrefix() {
        return prefix;
    }

    public Duration livenessTtl() {
        return livenessTtl;
    }

    /**
     * Connects, writes this node's liveness and starts renewing it.
     *
     * @throws RegistryUnavailableException when Redis cannot be reached now
     */
    @Override
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        RedisURI uri = RedisURI.create(redisUri);
        uri.setTimeout(commandTimeout);
        long reconnectCapMs = Math.max(100, Math.min(1000, livenessTtl.toMillis() / 3));
        resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofMillis(reconnectCapMs), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).keepAlive(true).build())
                .build());
        renewer = Executors.newSingleThreadScheduledExecutor(daemon("redis-registry-renew-" + nodeId));
        trimmer = Executors.newSingleThreadScheduledExecutor(daemon("redis-registry-trim-" + nodeId));
        notifier = Executors.newSingleThreadExecutor(daemon("redis-registry-state-lost-" + nodeId));
        try {
            connection = client.connect();
        } catch (RedisException e) {
            shutdownClient();
            throw new RegistryUnavailableException("Cannot connect to Redis at " + safeUri() + ": " + e.getMessage(), e);
        }
        connection.setTimeout(commandTimeout);
        redis = connection.async();
        // after a reconnect: renew at once, which is how a Redis that lost its data is noticed
        activations = resources.eventBus().get()
                .filter(event -> event instanceof ConnectionActivatedEvent)
                .subscribe(event -> renewSoon());
        try {
            renew(true);
        } catch (RuntimeException e) {
            shutdownClient();
            throw e;
        }
        long period = Math.max(100, livenessTtl.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewQuietly, period, period, TimeUnit.MILLISECONDS);
        trimmer.scheduleWithFixedDelay(this::trimQuietly, TRIM_PERIOD_MS, TRIM_PERIOD_MS, TimeUnit.MILLISECONDS);
        LOG.info("Connection registry in Redis at {} under '{}': node {} (incarnation {}), liveness TTL {} ms",
                safeUri(), prefix, nodeId, incarnation, livenessTtl.toMillis());
    }

    @Override
    public void online(ClientInfo client) {
        write(client, "replace");
    }

    /**
     * Registers {@code client} again unless another live node incarnation holds the agent online now (it
     * reconnected elsewhere meanwhile): then nothing changes and the answer is {@code false}.
     */
    @Override
    public boolean reannounce(ClientInfo client) {
        return write(client, "reannounce");
    }

    private boolean write(ClientInfo client, String mode) {
        if (!nodeId.equals(client.node())) {
            throw new IllegalArgumentException("this registry registers sessions of node " + nodeId + ", not of "
                    + client.node());
        }
        List<String> args = new ArrayList<>(32);
        Collections.addAll(args, client.id(), incarnation, nodeId, prefix, mode, String.valueOf(client.status()));
        fields(client).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        Long changed = await(eval(ONLINE, ScriptOutputType.INTEGER,
                keys(clientKey(client.id()), clientsKey, ownIncarnationKey, incarnationsKey),
                args.toArray(String[]::new)), "online " + client.id());
        return changed != null && changed == 1;
    }

    /**
     * Sends the heartbeat without waiting for Redis (one script call, nothing read back). Throws
     * {@link RegistryUnavailableException} at once when the connection is down; a failure after sending is logged.
     */
    @Override
    public void heartbeat(String agentId, String sessionId, Instant at) {
        CompletableFuture<Long> sent = eval(HEARTBEAT, ScriptOutputType.INTEGER, keys(clientKey(agentId)),
                sessionId, millis(at));
        if (sent.isDone()) {
            try {
                sent.join();
            } catch (CompletionException e) {
                throw translate("heartbeat " + agentId, e.getCause());
            }
            return;
        }
        sent.whenComplete((result, failure) -> {
            if (failure != null) {
                heartbeatFailed(agentId, failure);
            }
        });
    }

    @Override
    public Optional<ClientInfo> offline(String agentId, String sessionId, Instant at, String reason) {
        List<Object> after = await(eval(OFFLINE, ScriptOutputType.MULTI, keys(clientKey(agentId)),
                sessionId, millis(at), reason == null ? "" : reason, reason == null ? "0" : "1", prefix, agentId),
                "offline " + agentId);
        if (after == null || after.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(toInfo(agentId, fieldMap(after)));
    }

    @Override
    public Optional<ClientInfo> get(String agentId) {
        List<Object> reply = await(eval(GET, ScriptOutputType.MULTI, keys(clientKey(agentId)), prefix),
                "get " + agentId);
        if (reply == null || reply.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> fields = fieldMap((List<?>) reply.get(0));
        String live = reply.size() > 1 ? (String) reply.get(1) : null;
        return Optional.of(asSeen(toInfo(agentId, fields), fields.get("inc"), live));
    }

    /** Every agent, sorted by id: the id set, then the hashes in pipelined batches, then the nodes' liveness. */
    @Override
    public List<ClientInfo> list() {
        List<String> ids = new ArrayList<>(call("list", r -> r.smembers(clientsKey)));
        Collections.sort(ids);
        List<CompletableFuture<List<Object>>> batches = new ArrayList<>(ids.size() / READ_BATCH + 1);
        for (int from = 0; from < ids.size(); from += READ_BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + READ_BATCH));
            batches.add(eval(READ_MANY, ScriptOutputType.MULTI,
                    batch.stream().map(this::clientKey).toArray(String[]::new)));
        }
        List<ClientInfo> clients = new ArrayList<>(ids.size());
        List<String> incarnations = new ArrayList<>(ids.size());
        for (int b = 0; b < batches.size(); b++) {
            List<Object> hashes = await(batches.get(b), "list");
            for (int i = 0; i < hashes.size(); i++) {
                Map<String, String> fields = fieldMap((List<?>) hashes.get(i));
                if (fields.isEmpty()) {
                    continue; // removed meanwhile
                }
                clients.add(toInfo(ids.get(b * READ_BATCH + i), fields));
                incarnations.add(fields.get("inc"));
            }
        }
        Map<String, String> live = liveness(clients.stream().filter(ClientInfo::online).map(ClientInfo::node)
                .collect(TreeSet::new, Set::add, Set::addAll));
        for (int i = 0; i < clients.size(); i++) {
            ClientInfo c = clients.get(i);
            if (c.online()) {
                clients.set(i, asSeen(c, incarnations.get(i), live.get(c.node())));
            }
        }
        return clients;
    }

    @Override
    public boolean remove(String agentId) {
        Long deleted = await(eval(REMOVE, ScriptOutputType.INTEGER, keys(clientKey(agentId), clientsKey),
                agentId, prefix), "remove " + agentId);
        return deleted != null && deleted > 0;
    }

    /**
     * Marks offline, durably, the online entries whose node incarnation's liveness is gone, with reason
     * {@code node <id> lost} and the last heartbeat as the time they went away. Each entry is returned by exactly one
     * call across all nodes: that caller reports it disconnected. A node calls this every liveness TTL or so.
     */
    @Override
    public List<ClientInfo> sweepLostNodes() {
        Map<String, String> nodeOfIncarnation = call("sweep", r -> r.hgetall(incarnationsKey));
        if (nodeOfIncarnation.isEmpty()) {
            return List.of();
        }
        Map<String, String> live = liveness(new TreeSet<>(nodeOfIncarnation.values()));
        List<ClientInfo> swept = new ArrayList<>();
        String now = String.valueOf(System.currentTimeMillis());
        for (Map.Entry<String, String> e : nodeOfIncarnation.entrySet()) {
            String inc = e.getKey();
            String node = e.getValue();
            if (inc.equals(live.get(node))) {
                continue;
            }
            String setKey = incarnationKey(inc);
            List<String> members = new ArrayList<>(call("sweep", r -> r.smembers(setKey)));
            List<CompletableFuture<List<Object>>> marks = new ArrayList<>(members.size());
            for (String id : members) {
                marks.add(eval(SWEEP_ONE, ScriptOutputType.MULTI, keys(clientKey(id), setKey), inc, prefix, id, now));
            }
            for (int i = 0; i < marks.size(); i++) {
                List<Object> after = await(marks.get(i), "sweep");
                if (after != null && !after.isEmpty()) {
                    swept.add(toInfo(members.get(i), fieldMap(after)));
                }
            }
            await(eval(FORGET_INCARNATION, ScriptOutputType.INTEGER, keys(setKey, incarnationsKey), inc,
                    livenessKey(node)), "sweep");
            if (!members.isEmpty()) {
                LOG.info("Node {} (incarnation {}) is lost: {} of its agents marked offline here", node, inc,
                        swept.stream().filter(c -> node.equals(c.node())).count());
            }
        }
        swept.sort((a, b) -> a.id().compareTo(b.id()));
        return swept;
    }

    /** Stops renewing, deletes this node's liveness key (its entries still online then read as lost) and disconnects. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!started.get()) {
            return;
        }
        renewer.shutdownNow();
        RedisAsyncCommands<String, String> r = redis;
        try {
            if (r != null) {
                await(eval(r, RELEASE, ScriptOutputType.INTEGER, keys(livenessKey), incarnation), "release liveness");
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not delete the liveness key of node {}: {}", nodeId, e.toString());
        }
        shutdownClient();
    }

    /**
     * For tests: stops renewing and drops the connection without touching Redis, as a killed process would; its
     * entries read as lost once the liveness TTL has run out.
     */
    void crash() {
        closed = true;
        if (started.get()) {
            renewer.shutdownNow();
            shutdownClient();
        }
    }

    // ---- liveness

    private void renewSoon() {
        if (closed || renewer == null) {
            return;
        }
        try {
            renewer.schedule(this::renewQuietly, 20, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void renewQuietly() {
        if (closed) {
            return;
        }
        try {
            renew(false);
            long failed = renewFailures.getAndSet(0);
            if (failed > 0) {
                LOG.info("Liveness of node {} renewed in Redis again after {} failed attempts", nodeId, failed);
            }
        } catch (RuntimeException e) {
            long failed = renewFailures.incrementAndGet();
            if (failed == 1 || failed % 30 == 0) {
                LOG.warn("Could not renew the liveness of node {} in Redis ({} attempts): {}", nodeId, failed,
                        e.getMessage());
            }
        }
    }

    /**
     * Forgets the longest-gone offline entries while there are more than {@code maxOffline}, down to nine tenths of
     * it, {@value #TRIM_CHUNK} per script call so that Redis is never held long; returns how many it deleted.
     */
    long trimOffline() {
        String keep = String.valueOf(maxOffline - maxOffline / 10);
        String threshold = String.valueOf(maxOffline);
        long removed = 0;
        while (true) {
            List<Object> reply = await(eval(TRIM_OFFLINE, ScriptOutputType.MULTI, keys(prefix + "offline", clientsKey),
                    threshold, keep, prefix, String.valueOf(TRIM_CHUNK)), "trim offline");
            removed += (Long) reply.get(0);
            if ((Long) reply.get(1) < TRIM_CHUNK) {
                break;
            }
            threshold = keep; // started: go on down to what is kept
        }
        if (removed > 0) {
            LOG.info("Forgot the {} longest-gone offline agents (more than {} were offline)", removed, maxOffline);
        }
        return removed;
    }

    private void trimQuietly() {
        if (closed) {
            return;
        }
        try {
            trimOffline();
        } catch (RuntimeException e) {
            LOG.warn("Could not trim the offline agents in Redis: {}", e.getMessage());
        }
    }

    private void renew(boolean first) {
        String previous = call("renew liveness",
                r -> r.setGet(livenessKey, incarnation, SetArgs.Builder.px(livenessTtl.toMillis())));
        if (first || !established) {
            established = true;
            if (previous != null && !previous.equals(incarnation)) {
                LOG.info("Node {} restarted: entries of its previous incarnation {} read as lost and are swept",
                        nodeId, previous);
            }
            return;
        }
        if (previous == null) {
            LOG.warn("The liveness key of node {} had vanished from Redis (Redis lost its data, or renewals did not get "
                    + "through for {} ms): its sessions are announced again", nodeId, livenessTtl.toMillis());
            stateLost();
        } else if (!previous.equals(incarnation)) {
            LOG.error("Another process also uses node id {} (incarnation {} replaced ours, {}); node ids must be unique",
                    nodeId, previous, incarnation);
        }
    }

    private void stateLost() {
        if (!stateLostQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            notifier.execute(() -> {
                stateLostQueued.set(false);
                try {
                    onStateLost.run();
                } catch (RuntimeException e) {
                    LOG.warn("The state-lost callback of node {} failed", nodeId, e);
                }
            });
        } catch (RejectedExecutionException e) {
            stateLostQueued.set(false);
        }
    }

    private Map<String, String> liveness(Set<String> nodes) {
        if (nodes.isEmpty()) {
            return Map.of();
        }
        String[] keys = nodes.stream().map(this::livenessKey).toArray(String[]::new);
        List<KeyValue<String, String>> values = call("node liveness", r -> r.mget(keys));
        Map<String, String> live = new HashMap<>();
        for (KeyValue<String, String> kv : values) {
            if (kv.hasValue()) {
                live.put(kv.getKey().substring(prefix.length() + "node:".length()), kv.getValue());
            }
        }
        return live;
    }

    /** The entry as readers see it: online only while the incarnation that wrote it is alive. */
    private static ClientInfo asSeen(ClientInfo c, String inc, String liveIncarnation) {
        if (!c.online() || (inc != null && inc.equals(liveIncarnation))) {
            return c;
        }
        Instant lastSign = c.lastHeartbeat() != null ? c.lastHeartbeat() : c.connectedSince();
        return c.offline(lastSign, "node " + c.node() + " lost");
    }

    // ---- Redis plumbing

    private RedisAsyncCommands<String, String> commands() {
        RedisAsyncCommands<String, String> r = redis;
        if (r == null || closed) {
            throw new IllegalStateException(closed ? "the Redis connection registry of node " + nodeId + " is closed"
                    : "start() the Redis connection registry first");
        }
        return r;
    }

    private <T> CompletableFuture<T> eval(Script script, ScriptOutputType type, String[] keys, String... args) {
        return eval(commands(), script, type, keys, args);
    }

    private static <T> CompletableFuture<T> eval(RedisAsyncCommands<String, String> r, Script script,
                                                 ScriptOutputType type, String[] keys, String... args) {
        CompletableFuture<T> sha;
        try {
            sha = r.<T>evalsha(script.sha, type, keys, args).toCompletableFuture();
        } catch (RedisException e) { // e.g. rejected at once while disconnected
            return CompletableFuture.failedFuture(e);
        }
        return sha.exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                ? r.<T>eval(script.body, type, keys, args).toCompletableFuture()
                : CompletableFuture.failedFuture(unwrap(failure)));
    }

    private <T> T call(String what, Function<RedisAsyncCommands<String, String>, RedisFuture<T>> command) {
        CompletableFuture<T> future;
        try {
            future = command.apply(commands()).toCompletableFuture();
        } catch (RedisException e) { // e.g. rejected at once while disconnected
            throw translate(what, e);
        }
        return await(future, what);
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(commandTimeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new RegistryUnavailableException(what + ": interrupted while waiting for Redis", e);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new RegistryUnavailableException(what + ": Redis did not answer within "
                    + commandTimeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw translate(what, e.getCause());
        }
    }

    private RuntimeException translate(String what, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof RedisCommandExecutionException && String.valueOf(cause.getMessage()).startsWith("ERR")) {
            return new IllegalStateException(what + ": Redis refused the command: " + cause.getMessage(), cause);
        }
        return new RegistryUnavailableException(what + ": Redis at " + safeUri() + " unavailable: "
                + cause.getMessage(), cause);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private void heartbeatFailed(String agentId, Throwable failure) {
        long count = heartbeatFailures.incrementAndGet();
        long now = System.currentTimeMillis();
        long last = heartbeatFailureLoggedAt.get();
        if (now - last >= FAILURE_LOG_INTERVAL_MS && heartbeatFailureLoggedAt.compareAndSet(last, now)) {
            heartbeatFailures.set(0);
            LOG.warn("{} heartbeat(s) not recorded in Redis in the last {} s, e.g. of {}: {}", count,
                    FAILURE_LOG_INTERVAL_MS / 1000, agentId, unwrap(failure).toString());
        }
    }

    private void shutdownClient() {
        if (activations != null) {
            activations.dispose();
        }
        redis = null;
        try {
            if (connection != null) {
                connection.close();
            }
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        } catch (RuntimeException e) {
            LOG.debug("Closing the Redis client of node {}: {}", nodeId, e.toString());
        } finally {
            if (resources != null) {
                resources.shutdown(0, 2, TimeUnit.SECONDS);
            }
            if (renewer != null) {
                renewer.shutdownNow();
            }
            if (trimmer != null) {
                trimmer.shutdownNow();
            }
            if (notifier != null) {
                notifier.shutdown();
            }
        }
    }

    private String safeUri() {
        return redisUri.replaceAll("//[^@/]*@", "//");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    // ---- keys and fields

    private String clientKey(String agentId) {
        return prefix + "client:" + agentId;
    }

    private String livenessKey(String node) {
        return prefix + "node:" + node;
    }

    private String incarnationKey(String inc) {
        return prefix + "inc:" + inc;
    }

    private static String[] keys(String... keys) {
        return keys;
    }

    private static String millis(Instant at) {
        return String.valueOf(at.toEpochMilli());
    }

    private Map<String, String> fields(ClientInfo c) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("id", c.id());
        put(f, "session", c.sessionId());
        put(f, "node", c.node());
        f.put("inc", incarnation);
        put(f, "status", c.status());
        if (c.connectedSince() != null) {
            f.put("since", millis(c.connectedSince()));
        }
        if (c.lastHeartbeat() != null) {
            f.put("hb", millis(c.lastHeartbeat()));
        }
        put(f, "addr", c.remoteAddress());
        try {
            f.put("labels", json.writeValueAsString(c.labels() == null ? Map.of() : new TreeMap<>(c.labels())));
            if (c.agent() != null) {
                f.put("agent", json.writeValueAsString(c.agent()));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("agent " + c.id() + ": labels or details not writable as JSON", e);
        }
        if (c.disconnectedAt() != null) {
            f.put("dat", millis(c.disconnectedAt()));
        }
        put(f, "reason", c.disconnectReason());
        return f;
    }

    private static void put(Map<String, String> f, String field, String value) {
        if (value != null) {
            f.put(field, value);
        }
    }

    /** The {@link #FIELDS} values a script returned, by name; empty when the hash was not there. */
    private static Map<String, String> fieldMap(List<?> values) {
        Map<String, String> fields = new HashMap<>(32);
        for (int i = 0; i < values.size() && i < FIELDS.size(); i++) {
            if (values.get(i) != null) {
                fields.put(FIELDS.get(i), (String) values.get(i));
            }
        }
        return fields;
    }

    private ClientInfo toInfo(String agentId, Map<String, String> f) {
        Map<String, String> labels;
        ClientInfo.AgentDetails agent;
        try {
            String labelsJson = f.get("labels");
            labels = labelsJson == null ? Map.of() : Map.copyOf(json.readValue(labelsJson, LABELS));
            String agentJson = f.get("agent");
            agent = agentJson == null ? null : json.readValue(agentJson, ClientInfo.AgentDetails.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("agent " + agentId + ": unreadable entry in Redis", e);
        }
        return new ClientInfo(f.getOrDefault("id", agentId), f.get("session"), f.get("node"), f.get("status"),
                instant(f.get("since")), instant(f.get("hb")), f.get("addr"), labels, agent, instant(f.get("dat")),
                f.get("reason"));
    }

    private static Instant instant(String millis) {
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }

    /** A Lua script and its SHA-1, run with EVALSHA and loaded with EVAL when Redis does not know it (yet, or again). */
    private static final class Script {
        final String body;
        final String sha;

        Script(String body) {
            this.body = body.replace("FIELDS", LUA_FIELDS);
            try {
                this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                        .digest(this.body.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
