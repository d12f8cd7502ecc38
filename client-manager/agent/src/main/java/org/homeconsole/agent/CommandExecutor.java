package org.homeconsole.agent;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Carries out the command messages of one agent: {@link CommandRunner} with real processes, or the echo of a
 * simulated agent. Whatever happens, each started command ends with exactly one result on the sink.
 */
interface CommandExecutor {

    /** Starts a validated command message. Called on the connection's event loop: must not block. */
    void start(JsonNode command, CommandSink sink);

    /** Stops a running command (its result says cancelled); false when no such command is running. */
    boolean cancel(String commandId);

    /** Commands running now. */
    int running();

    /** The ids of the commands running now (for {@code hello.running}). */
    java.util.Collection<String> runningIds();

    /** Cancels every running command (the agent stops). */
    void cancelAll();
}
