package org.homeconsole.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.BooleanSupplier;

/** Where a command's messages go: the agent's current session. Implemented by {@link AgentConnection}; every method may be called from any thread. */
interface CommandSink {

    /** Sends a message now if a session is open, else drops it (errors are only useful to the current session). */
    void send(ObjectNode message);

    /**
     * Sends an output chunk, blocking while the socket's write queue is full (backpressure on the process).
     *
     * @param abandon polled while blocked; when it turns true the chunk is dropped
     * @return false when the chunk was dropped (no open session, or abandoned)
     */
    boolean sendOutput(ObjectNode output, BooleanSupplier abandon);

    /** Sends a result now, or after the next welcome if no session is open: a result is never dropped. */
    void sendResult(ObjectNode result);

    /** Largest raw chunk the current session allows (depends on welcome.max_frame_bytes). */
    int maxChunkBytes();
}
