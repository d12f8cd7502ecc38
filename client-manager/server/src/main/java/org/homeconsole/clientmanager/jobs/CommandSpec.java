package org.homeconsole.clientmanager.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * What to run: exactly one of {@code argv} (executed directly) or {@code shell} (through the agent's
 * shell), with a timeout, an output limit and optional environment and working directory.
 */
public record CommandSpec(List<String> argv, String shell, long timeoutMs, long maxOutputBytes,
                          Map<String, String> env, String cwd) {

    /** The command as one line: the shell string, or the argv joined by spaces (what the policy matches). */
    public String commandLine() {
        return shell != null ? shell : String.join(" ", argv);
    }

    void writeTo(ObjectNode node) {
        if (argv != null) {
            argv.forEach(node.putArray("argv")::add);
        } else {
            node.put("shell", shell);
        }
        node.put("timeout_ms", timeoutMs);
        node.put("max_output_bytes", maxOutputBytes);
        if (env != null && !env.isEmpty()) {
            ObjectNode e = node.putObject("env");
            env.forEach(e::put);
        }
        if (cwd != null) {
            node.put("cwd", cwd);
        }
    }
}
