package org.homeconsole.clientmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.homeconsole.api.storage.Storage;

/**
 * Per-agent tokens. A token is {@code <agent id>.<secret>}; only the SHA-256 of the secret is kept, in
 * Storage {@code client_manager.tokens/<agent id>}, and cached here. Issuing a new token for an agent
 * replaces the old one; revoking removes it.
 */
public final class AgentTokens {

    static final String NAMESPACE = "client_manager.tokens";

    private final Storage storage;
    private final ObjectMapper mapper;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, byte[]> hashes = new ConcurrentHashMap<>();

    public AgentTokens(Storage storage, ObjectMapper mapper) {
        this.storage = storage;
        this.mapper = mapper;
        for (String agentId : storage.listKeys(NAMESPACE)) {
            storage.get(NAMESPACE, agentId).map(v -> v.path("sha256").asText(null))
                    .ifPresent(hex -> hashes.put(agentId, HexFormat.of().parseHex(hex)));
        }
    }

    /** Issues (or replaces) the token of an agent; the token is returned once and not kept. */
    public String issue(String agentId) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        byte[] hash = sha256(secretText);
        storage.set(NAMESPACE, agentId, mapper.createObjectNode()
                .put("sha256", HexFormat.of().formatHex(hash))
                .put("issued_at", Instant.now().toString()));
        hashes.put(agentId, hash);
        return agentId + "." + secretText;
    }

    /** Removes an agent's token; {@code true} when it had one. */
    public boolean revoke(String agentId) {
        hashes.remove(agentId);
        return storage.delete(NAMESPACE, agentId);
    }

    public boolean has(String agentId) {
        return hashes.containsKey(agentId);
    }

    /** The agent id a token belongs to, when it is valid. */
    public Optional<String> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        int dot = token.lastIndexOf('.');
        if (dot <= 0 || dot == token.length() - 1) {
            return Optional.empty();
        }
        String agentId = token.substring(0, dot);
        byte[] expected = hashes.get(agentId);
        if (expected == null) {
            // issued by another node since this one started
            expected = storage.get(NAMESPACE, agentId).map(v -> v.path("sha256").asText(null))
                    .map(hex -> HexFormat.of().parseHex(hex)).orElse(null);
            if (expected == null) {
                return Optional.empty();
            }
            hashes.put(agentId, expected);
        }
        return MessageDigest.isEqual(expected, sha256(token.substring(dot + 1))) ? Optional.of(agentId) : Optional.empty();
    }

    /** Reads the token from an {@code Authorization: Bearer} header value. */
    public Optional<String> verifyAuthorization(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return verify(header.substring(7).strip());
    }

    JsonNode describe(String agentId) {
        return storage.get(NAMESPACE, agentId).orElse(null);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
