package org.homeconsole.runtime.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API key. Secure by default: when {@code HOMECONSOLE_ADMIN_API_KEY} is not set, a random key
 * is generated at first start and kept in {@code <data dir>/admin-api-key}, readable by the owner only,
 * and start-up says where to find it.
 */
public final class AdminKey {

    public static final String FILE_NAME = "admin-api-key";
    private static final Logger LOG = LoggerFactory.getLogger(AdminKey.class);

    private final byte[] key;

    private AdminKey(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    /** The configured key, else the one kept in the data dir, else a new one written there. */
    public static AdminKey resolve(Optional<String> configured, Path dataDir) {
        if (configured.isPresent()) {
            LOG.info("Admin API key: taken from HOMECONSOLE_ADMIN_API_KEY");
            return new AdminKey(configured.get());
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.isRegularFile(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!stored.isEmpty()) {
                    LOG.info("Admin API key: read from {} (send it as 'Authorization: Bearer <key>')", file);
                    return new AdminKey(stored);
                }
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, generated + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            LOG.warn("Admin API key: none configured, generated one and stored it in {} (owner-only). "
                    + "Send it as 'Authorization: Bearer <key>', or set HOMECONSOLE_ADMIN_API_KEY.", file);
            return new AdminKey(generated);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("Cannot keep the admin API key in " + file + ": " + e, e);
        }
    }

    /** Constant-time check of an {@code Authorization} header value. */
    public boolean matchesAuthorization(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return matches(header.substring(7).strip());
    }

    /** Constant-time check of a bare key. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(key, candidate.getBytes(StandardCharsets.UTF_8));
    }
}
