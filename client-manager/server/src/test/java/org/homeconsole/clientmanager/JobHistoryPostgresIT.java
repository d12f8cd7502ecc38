package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.homeconsole.testsupport.PostgresSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job history on PostgreSQL: a node storing in a fresh PostgreSQL schema runs a command (answered by a
 * bare socket speaking the protocol by hand), and after a restart the job is still there, read back from
 * the database.
 */
class JobHistoryPostgresIT {

    @TempDir
    Path dir;

    @Test
    void aFinishedJobOutlivesTheNode() throws Exception {
        Map<String, String> settings = ClientManagerNode.settings(dir);
        settings.put("DATABASE_URL", PostgresSupport.jdbcUrlForFreshSchema("cm_history"));
        String jobId;
        try (ClientManagerNode node = ClientManagerNode.start(dir, settings)) {
            RawSocket agent = AgentSocketITSupport.hello(node, "by-hand", "{}");
            HttpResponse<String> submitted = node.send("POST", "/clients/by-hand/commands", "{\"shell\":\"date\"}",
                    ClientManagerNode.ADMIN_KEY);
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
            jobId = node.json(submitted).path("job_id").asText();

            JsonNode command = agent.next("command");
            assertThat(command.path("shell").asText()).isEqualTo("date");
            String commandId = command.path("command_id").asText();
            agent.send("{\"type\":\"output\",\"command_id\":\"" + commandId + "\",\"stream\":\"stdout\",\"seq\":0,\"data\":\""
                    + Base64.getEncoder().encodeToString("Sun Nov 22\n".getBytes()) + "\"}");
            agent.send("{\"type\":\"result\",\"command_id\":\"" + commandId + "\",\"state\":\"succeeded\",\"exit_code\":0,"
                    + "\"duration_ms\":3,\"output_bytes\":11,\"truncated\":false}");
            String id = jobId;
            org.awaitility.Awaitility.await().until(() -> "completed".equals(node.json(node.get("/jobs/" + id)).path("state").asText()));
            JsonNode live = node.json(node.get("/jobs/" + jobId));
            assertThat(live.path("results").get(0).path("stdout").asText()).isEqualTo("Sun Nov 22\n");
            agent.socket.abort();
        }
        try (ClientManagerNode restarted = ClientManagerNode.start(dir, settings)) {
            HttpResponse<String> stored = restarted.get("/jobs/" + jobId);
            assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
            JsonNode job = restarted.json(stored);
            assertThat(job.path("state").asText()).isEqualTo("completed");
            assertThat(job.path("results").get(0).path("state").asText()).isEqualTo("succeeded");
            assertThat(job.path("results").get(0).path("output_bytes").asLong()).isEqualTo(11);
            assertThat(restarted.getBytes("/jobs/" + jobId + "/output").statusCode())
                    .as("the output itself is not kept across restarts").isEqualTo(410);
        }
    }
}
