package org.homeconsole.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An agent id and the token issued for it, as a simulated fleet needs them.
 *
 * @param agentId the id the agent says in hello
 * @param token the bearer token for the upgrade request; never logged ({@link #toString()} hides it)
 */
public record Credentials(String agentId, String token) {

    public Credentials {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(token, "token");
    }

    /**
     * Reads a tokens file: one {@code agent_id token} per line, separated by white space; blank lines and lines
     * starting with {@code #} are skipped.
     *
     * @throws IllegalArgumentException naming the line when a line does not have exactly two fields
     */
    public static List<Credentials> read(Path file) throws IOException {
        List<Credentials> all = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != 2) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected 'agent_id token'");
            }
            all.add(new Credentials(fields[0], fields[1]));
        }
        return all;
    }

    @Override
    public String toString() {
        return "Credentials[agentId=" + agentId + ", token=***]";
    }
}
