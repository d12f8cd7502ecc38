package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

/** Connects a bare socket as an agent: token, hello, welcome. */
final class AgentSocketITSupport {

    private AgentSocketITSupport() {
    }

    static RawSocket hello(ClientManagerNode node, String agentId, String labels) throws Exception {
        return hello(node, agentId, node.issueToken(agentId), labels);
    }

    static RawSocket hello(ClientManagerNode node, String agentId, String token, String labels) throws Exception {
        RawSocket socket = RawSocket.connect(node.agentUrl(), token);
        socket.send("{\"type\":\"hello\",\"protocol\":1,\"agent_id\":\"" + agentId + "\",\"hostname\":\"h-" + agentId
                + "\",\"os\":\"linux\",\"agent_version\":\"test\",\"labels\":" + labels + "}");
        JsonNode welcome = socket.next();
        assertThat(welcome.path("type").asText()).as("answer to hello: %s", welcome).isEqualTo("welcome");
        return socket;
    }
}
