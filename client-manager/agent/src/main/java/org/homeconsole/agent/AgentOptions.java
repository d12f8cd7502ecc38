package org.homeconsole.agent;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The agent's command line, parsed and checked. Every problem is a {@link UsageException} whose message names
 * the option, so that {@code AgentMain} can print it and exit with code 2.
 *
 * @param credentials one entry for a real agent; N entries with {@code --simulate N}
 * @param simulate 0 for a real agent, else the number of simulated agents
 */
record AgentOptions(boolean help, List<URI> urls, List<Credentials> credentials, Map<String, String> labels,
        int maxConcurrent, int simulate) {

    static final String USAGE = """
            Usage: homeconsole agent --url URL (--token T | --token-file F) [options]
                   homeconsole agent --url URL --simulate N --tokens-file F [options]

              --url URL            client manager WebSocket URL (ws:// or wss://), e.g. ws://cm:10000/ws;
                                   repeat for several nodes, tried in turn on failure
              --token T            the agent's token (visible to other users: prefer --token-file)
              --token-file F       file whose first line is the agent's token
              --id ID              agent id (default: the host name)
              --label K=V          a label to announce; repeatable
              --max-concurrent N   commands run at once, default 16
              --simulate N         run N simulated agents (no processes), credentials from --tokens-file
              --tokens-file F      lines "agent_id token" for --simulate
              --help               this text

            Exit codes: 0 stopped (SIGTERM), 2 bad arguments, 3 token refused or revoked,
                        4 replaced by another instance with the same id, 5 unsupported protocol version.
            """;

    static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9._/-]{1,63}");

    /** A command-line problem; the message names the option. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static AgentOptions parse(String[] args, String defaultId) throws UsageException {
        List<URI> urls = new ArrayList<>();
        Map<String, String> labels = new LinkedHashMap<>();
        String token = null;
        String tokenFile = null;
        String id = null;
        String tokensFile = null;
        int maxConcurrent = 16;
        int simulate = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                return new AgentOptions(true, List.of(), List.of(), Map.of(), maxConcurrent, 0);
            }
            if (!List.of("--url", "--token", "--token-file", "--id", "--label", "--max-concurrent", "--simulate", "--tokens-file").contains(arg)) {
                throw new UsageException("unknown option " + arg);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(arg + " needs a value");
                }
                value = args[++i];
            }
            switch (arg) {
                case "--url" -> urls.add(url(value));
                case "--token" -> token = value;
                case "--token-file" -> tokenFile = value;
                case "--id" -> id = value;
                case "--label" -> label(value, labels);
                case "--max-concurrent" -> maxConcurrent = positive(arg, value);
                case "--simulate" -> simulate = positive(arg, value);
                default -> tokensFile = value; // --tokens-file
            }
        }
        if (urls.isEmpty()) {
            throw new UsageException("--url is required");
        }
        List<Credentials> credentials;
        if (simulate > 0) {
            if (token != null || tokenFile != null || id != null) {
                throw new UsageException("--simulate takes its ids and tokens from --tokens-file, not --token/--token-file/--id");
            }
            credentials = simulated(tokensFile, simulate);
        } else {
            if (tokensFile != null) {
                throw new UsageException("--tokens-file is only for --simulate");
            }
            credentials = List.of(new Credentials(agentId(id, defaultId), token(token, tokenFile)));
        }
        return new AgentOptions(false, List.copyOf(urls), credentials, Map.copyOf(labels), maxConcurrent, simulate);
    }

    private static URI url(String value) throws UsageException {
        try {
            URI uri = new URI(value);
            if (!("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new UsageException("--url must be ws://host[:port]/path or wss://..., got " + value);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new UsageException("--url is not a URL: " + value);
        }
    }

    private static void label(String value, Map<String, String> labels) throws UsageException {
        int eq = value.indexOf('=');
        if (eq < 0 || !LABEL_KEY.matcher(value.substring(0, eq)).matches() || value.length() - eq - 1 > 256) {
            throw new UsageException("--label must be key=value, key 1..63 of A-Z a-z 0-9 . _ / -, value at most 256 characters; got " + value);
        }
        if (labels.size() >= 64 && !labels.containsKey(value.substring(0, eq))) {
            throw new UsageException("--label: at most 64 labels");
        }
        labels.put(value.substring(0, eq), value.substring(eq + 1));
    }

    private static int positive(String option, String value) throws UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(option + " must be a positive integer, got " + value);
    }

    private static String agentId(String id, String defaultId) throws UsageException {
        String chosen = id != null ? id : defaultId;
        if (chosen == null || !AGENT_ID.matcher(chosen).matches()) {
            throw new UsageException(id != null
                    ? "--id must be 1..128 of A-Z a-z 0-9 . _ : -, got " + id
                    : "--id is required: the host name '" + defaultId + "' is not a valid agent id");
        }
        return chosen;
    }

    private static String token(String token, String tokenFile) throws UsageException {
        if (token != null && tokenFile != null) {
            throw new UsageException("give --token or --token-file, not both");
        }
        if (tokenFile != null) {
            try {
                token = Files.readAllLines(Path.of(tokenFile), StandardCharsets.UTF_8).stream()
                        .map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(null);
            } catch (IOException e) {
                throw new UsageException("--token-file cannot be read: " + tokenFile + " (" + e.getMessage() + ")");
            }
            if (token == null) {
                throw new UsageException("--token-file is empty: " + tokenFile);
            }
        }
        if (token == null || token.isBlank()) {
            throw new UsageException("--token or --token-file is required");
        }
        return token;
    }

    private static List<Credentials> simulated(String tokensFile, int n) throws UsageException {
        if (tokensFile == null) {
            throw new UsageException("--simulate needs --tokens-file");
        }
        List<Credentials> all;
        try {
            all = Credentials.read(Path.of(tokensFile));
        } catch (IOException e) {
            throw new UsageException("--tokens-file cannot be read: " + tokensFile + " (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new UsageException("--tokens-file: " + e.getMessage());
        }
        if (all.size() < n) {
            throw new UsageException("--tokens-file has " + all.size() + " agents, --simulate asks for " + n);
        }
        for (Credentials c : all.subList(0, n)) {
            if (!AGENT_ID.matcher(c.agentId()).matches()) {
                throw new UsageException("--tokens-file: invalid agent id " + c.agentId());
            }
        }
        return List.copyOf(all.subList(0, n));
    }
}
