package org.homeconsole.clientmanager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.StreamCache;
import org.homeconsole.api.http.HttpProblem;
import org.homeconsole.clientmanager.cluster.AgentRouter;
import org.homeconsole.clientmanager.jobs.CommandSpec;
import org.homeconsole.clientmanager.jobs.Job;
import org.homeconsole.clientmanager.jobs.JobManager;
import org.homeconsole.clientmanager.jobs.KeptJob;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.homeconsole.clientmanager.registry.ClientInfo;
import org.homeconsole.clientmanager.registry.ConnectionRegistry;
import org.homeconsole.clientmanager.sockets.AdminStream;
import org.homeconsole.clientmanager.sockets.AgentGateway;

/**
 * Bean {@code clientManager}: what the REST routes of {@code routes/client-manager/} call. Every method
 * takes the exchange, reads path parameters from headers and the body as JSON, and answers JSON; errors
 * are {@link HttpProblem}s naming the field, rendered by the core's {@code core-problems} configuration.
 */
public final class ClientManagerApi {

    private static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final int INLINE_OUTPUT_BYTES = 64 * 1024;
    private static final int MAX_TARGETS = 100_000;

    /** What the API works on while the plugin is started; replaced at each start, null when stopped. */
    public record Parts(ClientManagerConfig config, String nodeId, ConnectionRegistry registry, AgentGateway gateway,
                        AgentRouter router, AdminStream admin, JobManager jobs, AgentTokens tokens, CommandPolicy policy,
                        Audit audit) {
    }

    private final ObjectMapper mapper;
    private volatile Parts parts;
    private ClientManagerConfig config;
    private String nodeId;
    private ConnectionRegistry registry;
    private AgentGateway gateway;
    private AgentRouter router;
    private AdminStream admin;
    private JobManager jobs;
    private AgentTokens tokens;
    private CommandPolicy policy;
    private Audit audit;

    public ClientManagerApi(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Points the API at the started plugin's parts, or (null) answers 503 while it is stopped. */
    public synchronized void use(Parts parts) {
        this.parts = parts;
        if (parts != null) {
            config = parts.config();
            nodeId = parts.nodeId();
            registry = parts.registry();
            gateway = parts.gateway();
            router = parts.router();
            admin = parts.admin();
            jobs = parts.jobs();
            tokens = parts.tokens();
            policy = parts.policy();
            audit = parts.audit();
        }
    }

    /** Every route calls this first (through the bean methods): a stopped client manager answers 503. */
    private void requireStarted() {
        if (parts == null) {
            throw new HttpProblem(503, "the client manager is not started", null);
        }
    }

    /** GET health: open, for load balancers. */
    public String health(Exchange exchange) {
        requireStarted();
        ObjectNode body = mapper.createObjectNode().put("status", "ok").put("node", nodeId)
                .put("mode", config.mode().name().toLowerCase()).put("agents_connected", gateway.connectedCount())
                .put("admin_connected", admin.connectedCount()).put("commands_running", jobs.running());
        return json(exchange, 200, body);
    }

    /** GET clients[?status=online|offline][&label=k=v ...]. */
    public String listClients(Exchange exchange) {
        requireStarted();
        String status = exchange.getMessage().getHeader("status", String.class);
        if (status != null && !status.equals(ClientInfo.ONLINE) && !status.equals(ClientInfo.OFFLINE)) {
            throw HttpProblem.badRequest("status", "must be 'online' or 'offline'");
        }
        Map<String, String> labels = labels(exchange.getMessage().getHeader("label"));
        ArrayNode clients = mapper.createArrayNode();
        for (ClientInfo client : registry.list()) {
            if ((status == null || status.equals(client.status())) && client.hasLabels(labels)) {
                clients.add(render(client));
            }
        }
        ObjectNode body = mapper.createObjectNode().put("count", clients.size());
        body.set("clients", clients);
        return json(exchange, 200, body);
    }

    /** GET clients/{id}. */
    public String getClient(Exchange exchange) {
        requireStarted();
        String id = agentId(exchange);
        ClientInfo client = registry.get(id).orElseThrow(() -> HttpProblem.notFound("no client '" + id + "'"));
        return json(exchange, 200, render(client));
    }

    /** DELETE clients/{id}: closes its socket (4004); an offline client is forgotten. */
    public String disconnect(Exchange exchange) {
        requireStarted();
        String id = agentId(exchange);
        ClientInfo client = registry.get(id).orElseThrow(() -> HttpProblem.notFound("no client '" + id + "'"));
        boolean closed = router.disconnect(id, Protocol.CLOSE_DISCONNECTED, "disconnected by an operator");
        if (!closed && !client.online()) {
            registry.remove(id);
        }
        return json(exchange, 200, mapper.createObjectNode().put("agent_id", id)
                .put("disconnected", closed).put("forgotten", !closed && !client.online()));
    }

    /** POST clients/{id}/commands. */
    public String commandOne(Exchange exchange) {
        requireStarted();
        String id = agentId(exchange);
        JsonNode body = body(exchange);
        CommandSpec spec = spec(body);
        long ttl = queueTtl(body);
        ClientInfo client = registry.get(id).orElse(null);
        if (client == null && ttl == 0) {
            throw HttpProblem.notFound("no client '" + id + "'");
        }
        if (ttl == 0 && (client == null || !client.online())) {
            throw HttpProblem.conflict("client '" + id + "' is offline; the command was not sent "
                    + "(give queue_ttl_ms to wait for it)");
        }
        ObjectNode target = mapper.createObjectNode();
        target.putArray("agent_ids").add(id);
        return submit(exchange, body, spec, List.of(id), target, ttl);
    }

    /** POST commands: {"target": {"agent_ids": [...]} or {"labels": {...}}, "shell"/"argv", ...}. */
    public String commandMany(Exchange exchange) {
        requireStarted();
        JsonNode body = body(exchange);
        CommandSpec spec = spec(body);
        long ttl = queueTtl(body);
        JsonNode target = body.get("target");
        if (target == null || !target.isObject()) {
            throw HttpProblem.badRequest("target", "required: {\"agent_ids\": [...]} or {\"labels\": {...}}");
        }
        List<String> ids = new ArrayList<>();
        if (target.has("agent_ids") == target.has("labels")) {
            throw HttpProblem.badRequest("target", "give exactly one of 'agent_ids' or 'labels'");
        }
        if (target.has("agent_ids")) {
            JsonNode list = target.get("agent_ids");
            if (!list.isArray() || list.isEmpty() || list.size() > MAX_TARGETS) {
                throw HttpProblem.badRequest("target.agent_ids", "must be a non-empty array of at most " + MAX_TARGETS + " ids");
            }
            Set<String> seen = new HashSet<>();
            for (JsonNode id : list) {
                if (!id.isTextual() || !AGENT_ID.matcher(id.asText()).matches()) {
                    throw HttpProblem.badRequest("target.agent_ids", "'" + id + "' is not an agent id");
                }
                // a set, not ids.contains: up to 100,000 ids
                if (seen.add(id.asText())) {
                    ids.add(id.asText());
                }
            }
        } else {
            JsonNode labels = target.get("labels");
            if (!labels.isObject() || labels.isEmpty()) {
                throw HttpProblem.badRequest("target.labels", "must be a non-empty object of label values");
            }
            Map<String, String> wanted = new LinkedHashMap<>();
            labels.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw HttpProblem.badRequest("target.labels." + e.getKey(), "must be a string");
                }
                wanted.put(e.getKey(), e.getValue().asText());
            });
            int matching = 0;
            for (ClientInfo client : registry.list()) {
                if (client.online() && client.hasLabels(wanted)) {
                    matching++;
                    // only agents that run commands: one without 'exec' would only be refused
                    if (client.agent() == null || client.agent().capabilities().contains(Protocol.CAP_EXEC)) {
                        ids.add(client.id());
                    }
                }
            }
            if (ids.isEmpty()) {
                throw HttpProblem.conflict(matching == 0 ? "no online client has labels " + wanted
                        : "none of the " + matching + " online clients with labels " + wanted
                        + " announces the capability '" + Protocol.CAP_EXEC + "'");
            }
        }
        return submit(exchange, body, spec, ids, target, ttl);
    }

    /**
     * Submits the job and answers it; with {@code "wait": true} once it has ended (or the wait timed out).
     *
     * <p>The wait holds the calling thread: a Vert.x worker thread. camel-platform-http-vertx (4.17) runs
     * the whole route inside {@code executeBlocking} and calls the route's processor synchronously
     * ({@code VertxPlatformHttpConsumer.processExchange}), so a bean returning a {@code CompletionStage}
     * would leave the same worker parked in Camel's await manager instead of here. The workers are the
     * Vert.x worker pool of the runtime's {@code vertx} bean (20 threads, Vert.x's default), shared by every
     * REST route of the node: at most that many {@code wait:true} commands are in flight at once, and their
     * throughput is at most 20 / round trip (20,000/s at 1 ms, 5,000/s at 4 ms). Sizing that pool is the
     * runtime's setting, not the plugin's.
     */
    private String submit(Exchange exchange, JsonNode body, CommandSpec spec, List<String> ids, JsonNode target, long ttl) {
        // the whole body is checked before anything runs: a 400 never leaves a command running behind it
        JsonNode wait = body.get("wait");
        if (wait != null && !wait.isBoolean()) {
            throw HttpProblem.badRequest("wait", "must be true or false");
        }
        long waitMs = number(body, "wait_timeout_ms", spec.timeoutMs() + ttl + 5_000, 1, 3_600_000);
        Optional<String> refusal = policy.refusal(spec.commandLine());
        if (refusal.isPresent()) {
            Job refused = jobs.refused(spec, ids, target, refusal.get());
            audit.record("command.refused", ids.size() == 1 ? ids.get(0) : null, Map.of(
                    "job_id", refused.id(), "command", spec.commandLine(), "agents", ids.size() <= 20 ? ids : ids.subList(0, 20),
                    "reason", refusal.get()));
            throw new HttpProblem(403, "command refused by policy: " + refusal.get() + " (job " + refused.id() + ")",
                    spec.shell() != null ? "shell" : "argv");
        }
        Job job = jobs.submit(spec, ids, target, ttl);
        if (wait != null && wait.asBoolean()) {
            try {
                job.done().get(waitMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // answered as still running, 202
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        return json(exchange, job.completed() ? 200 : 202, job.toJson(mapper, INLINE_OUTPUT_BYTES));
    }

    /** GET jobs[?limit=n]: recent jobs of this node, newest first. */
    public String listJobs(Exchange exchange) {
        requireStarted();
        int limit = (int) number(exchange.getMessage().getHeader("limit", String.class), "limit", 50, 1, 1000);
        ArrayNode list = mapper.createArrayNode();
        for (KeptJob job : jobs.recent(limit)) {
            job.addTo(list, mapper);
        }
        ObjectNode body = mapper.createObjectNode().put("count", list.size());
        body.set("jobs", list);
        return json(exchange, 200, body);
    }

    /** GET jobs/{jobId}. */
    public String getJob(Exchange exchange) {
        requireStarted();
        String id = jobId(exchange);
        Optional<KeptJob> job = jobs.get(id);
        if (job.isPresent()) {
            return json(exchange, 200, job.get().toJson(mapper, INLINE_OUTPUT_BYTES));
        }
        JsonNode stored = jobs.stored(id).orElseThrow(() -> HttpProblem.notFound("no job '" + id + "'"));
        return json(exchange, 200, stored);
    }

    /** GET jobs/{jobId}/output?agent_id=&stream=stdout|stderr: the kept output as bytes. */
    public byte[] jobOutput(Exchange exchange) {
        requireStarted();
        String id = jobId(exchange);
        KeptJob job = jobs.get(id).orElseThrow(() -> jobs.stored(id).isPresent()
                ? new HttpProblem(410, "the output of job '" + id + "' is no longer kept", null)
                : HttpProblem.notFound("no job '" + id + "'"));
        String agent = exchange.getMessage().getHeader("agent_id", String.class);
        if (agent == null) {
            List<String> agents = job.agentIds(mapper);
            if (agents.size() != 1) {
                throw HttpProblem.badRequest("agent_id", "required: the job ran on " + agents.size() + " agents");
            }
            agent = agents.get(0);
        }
        String state = job.runState(agent, mapper);
        if (state == null) {
            throw HttpProblem.notFound("job '" + id + "' did not run on '" + agent + "'");
        }
        String stream = exchange.getMessage().getHeader("stream", String.class);
        if (stream != null && !stream.equals(Protocol.STDOUT) && !stream.equals(Protocol.STDERR)) {
            throw HttpProblem.badRequest("stream", "must be 'stdout' or 'stderr' (or absent for both)");
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/octet-stream");
        exchange.getMessage().setHeader("X-Command-State", state);
        return job.output(agent, stream, mapper);
    }

    /** POST jobs/{jobId}/cancel. */
    public String cancelJob(Exchange exchange) {
        requireStarted();
        String id = jobId(exchange);
        KeptJob job = jobs.cancel(id).orElseThrow(() -> HttpProblem.notFound("no running job '" + id + "' on this node"));
        return json(exchange, 202, job.toJson(mapper, 0));
    }

    /** POST tokens {"agent_id"}: issues (or replaces) an agent's token; shown once. */
    public String issueToken(Exchange exchange) {
        requireStarted();
        JsonNode body = body(exchange);
        JsonNode id = body.get("agent_id");
        if (id == null || !id.isTextual() || !AGENT_ID.matcher(id.asText()).matches()) {
            throw HttpProblem.badRequest("agent_id", "required: 1-128 characters of letters, digits, '.', '_', ':' and '-'");
        }
        String token = tokens.issue(id.asText());
        return json(exchange, 201, mapper.createObjectNode().put("agent_id", id.asText()).put("token", token));
    }

    /** DELETE tokens/{id}: revokes the token and closes the agent's socket (4010). */
    public String revokeToken(Exchange exchange) {
        requireStarted();
        String id = agentId(exchange);
        if (!tokens.revoke(id)) {
            throw HttpProblem.notFound("agent '" + id + "' has no token");
        }
        router.disconnect(id, Protocol.CLOSE_TOKEN_REVOKED, "token revoked");
        audit.record("token.revoked", id, Map.of());
        return json(exchange, 200, mapper.createObjectNode().put("agent_id", id).put("revoked", true));
    }

    // ---- helpers

    private CommandSpec spec(JsonNode body) {
        JsonNode argv = body.get("argv");
        JsonNode shell = body.get("shell");
        if ((argv == null) == (shell == null)) {
            throw HttpProblem.badRequest("shell", "give exactly one of 'shell' (a command line) or 'argv' (an array)");
        }
        List<String> args = null;
        if (argv != null) {
            if (!argv.isArray() || argv.isEmpty()) {
                throw HttpProblem.badRequest("argv", "must be a non-empty array of strings");
            }
            args = new ArrayList<>();
            for (JsonNode a : argv) {
                if (!a.isTextual()) {
                    throw HttpProblem.badRequest("argv", "must hold only strings");
                }
                args.add(a.asText());
            }
        } else if (!shell.isTextual() || shell.asText().isBlank()) {
            throw HttpProblem.badRequest("shell", "must be a non-empty string");
        }
        long timeout = number(body, "timeout_ms", config.commandTimeoutMs(), 1, 86_400_000);
        long maxOutput = number(body, "max_output_bytes", config.maxOutputBytes(), 0, ClientManagerConfig.OUTPUT_CEILING);
        Map<String, String> env = null;
        JsonNode envNode = body.get("env");
        if (envNode != null) {
            if (!envNode.isObject()) {
                throw HttpProblem.badRequest("env", "must be an object of strings");
            }
            env = new LinkedHashMap<>();
            for (var it = envNode.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isTextual()) {
                    throw HttpProblem.badRequest("env." + e.getKey(), "must be a string");
                }
                env.put(e.getKey(), e.getValue().asText());
            }
        }
        JsonNode cwd = body.get("cwd");
        if (cwd != null && !cwd.isTextual()) {
            throw HttpProblem.badRequest("cwd", "must be a string");
        }
        return new CommandSpec(args, args == null ? shell.asText() : null, timeout, maxOutput, env,
                cwd == null ? null : cwd.asText());
    }

    private long queueTtl(JsonNode body) {
        return number(body, "queue_ttl_ms", 0, 0, 86_400_000);
    }

    private static long number(JsonNode body, String field, long defaultValue, long min, long max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber()) {
            throw HttpProblem.badRequest(field, "must be a whole number");
        }
        long v = value.asLong();
        if (v < min || v > max) {
            throw HttpProblem.badRequest(field, "must be between " + min + " and " + max);
        }
        return v;
    }

    private static long number(String text, String field, long defaultValue, long min, long max) {
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(text.strip());
            if (v < min || v > max) {
                throw HttpProblem.badRequest(field, "must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw HttpProblem.badRequest(field, "must be a whole number");
        }
    }

    private Map<String, String> labels(Object header) {
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> values = new ArrayList<>();
        if (header instanceof List<?> list) {
            list.forEach(v -> values.add(String.valueOf(v)));
        } else if (header != null) {
            values.add(header.toString());
        }
        for (String value : values) {
            int eq = value.indexOf('=');
            if (eq <= 0) {
                throw HttpProblem.badRequest("label", "'" + value + "' is not key=value");
            }
            labels.put(value.substring(0, eq), value.substring(eq + 1));
        }
        return labels;
    }

    private JsonNode body(Exchange exchange) {
        String text = bodyText(exchange);
        if (text == null || text.isBlank()) {
            throw HttpProblem.badRequest("(body)", "a JSON object is required (with Content-Type: application/json)");
        }
        try {
            JsonNode body = mapper.readTree(text);
            if (!body.isObject()) {
                throw HttpProblem.badRequest("(body)", "must be a JSON object");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw HttpProblem.badRequest("(body)", "not JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * The request body as text, decoded with the exchange's charset like Camel's String conversion does.
     * Camel caches the request body as a stream over its bytes; its String conversion reads that through an
     * 8 KiB reader and an 8 KiB decoder buffer per request, so the bytes are read directly here when the
     * cache says how many there are (a cache spooled to disk, or anything else, goes the Camel way).
     */
    private static String bodyText(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        Charset charset = charset(exchange);
        if (charset != null && body instanceof StreamCache cache && body instanceof InputStream in) {
            try {
                cache.reset();
                byte[] bytes = in.readNBytes(Math.max(0, in.available()));
                boolean whole = in.read() < 0;
                cache.reset();
                if (whole) {
                    return new String(bytes, charset);
                }
            } catch (IOException e) {
                cache.reset();
            }
        }
        return exchange.getMessage().getBody(String.class);
    }

    /** The charset Camel's conversion would use (the request's, else Camel's default); null when unknown here. */
    private static Charset charset(Exchange exchange) {
        String name = exchange.getProperty(ExchangePropertyKey.CHARSET_NAME, String.class);
        if (name == null) {
            name = System.getProperty(Exchange.DEFAULT_CHARSET_PROPERTY, "UTF-8");
        }
        try {
            return Charset.forName(name.strip().replace("\"", "").replace("'", ""));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String agentId(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        if (id == null || !AGENT_ID.matcher(id).matches()) {
            throw HttpProblem.badRequest("id", "not an agent id");
        }
        return id;
    }

    private static String jobId(Exchange exchange) {
        String id = exchange.getMessage().getHeader("jobId", String.class);
        if (id == null || id.isBlank() || id.length() > 100) {
            throw HttpProblem.badRequest("jobId", "not a job id");
        }
        return id;
    }

    private ObjectNode render(ClientInfo c) {
        ObjectNode n = mapper.createObjectNode();
        n.put("agent_id", c.id());
        n.put("status", c.status());
        n.put("node", c.node());
        n.put("session_id", c.sessionId());
        n.put("connected_since", c.connectedSince().toString());
        n.put("last_heartbeat", c.lastHeartbeat().toString());
        n.put("remote_address", c.remoteAddress());
        ObjectNode labels = n.putObject("labels");
        c.labels().forEach(labels::put);
        ObjectNode agent = n.putObject("agent");
        agent.put("hostname", c.agent().hostname());
        agent.put("os", c.agent().os());
        if (c.agent().arch() != null) {
            agent.put("arch", c.agent().arch());
        }
        agent.put("agent_version", c.agent().agentVersion());
        agent.put("protocol", c.agent().protocol());
        c.agent().capabilities().forEach(agent.putArray("capabilities")::add);
        if (c.disconnectedAt() != null) {
            n.put("disconnected_at", c.disconnectedAt().toString());
            n.put("disconnect_reason", c.disconnectReason());
        }
        return n;
    }

    private String json(Exchange exchange, int status, JsonNode body) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
