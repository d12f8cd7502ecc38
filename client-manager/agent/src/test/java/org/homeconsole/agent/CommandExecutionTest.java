package org.homeconsole.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.homeconsole.agent.FixtureServer.CommandLog;
import org.homeconsole.agent.FixtureServer.Session;
import org.homeconsole.clientmanager.protocol.Messages;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands end to end: fixture server → agent → real processes → output and result back at the fixture. */
class CommandExecutionTest extends AgentTestSupport {

    private static final Duration GENEROUS = Duration.ofSeconds(20);

    @Test
    void shouldStreamOutputAndSucceed() {
        // given
        Session session = connected(16);
        // when
        session.send(Messages.command("c1", null, "echo hello", 10_000, 1_000, null, null));
        // then
        JsonNode result = resultOf("c1");
        assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_SUCCEEDED);
        assertThat(result.get("exit_code").asInt()).isZero();
        assertThat(result.get("output_bytes").asLong()).isEqualTo(6);
        assertThat(result.get("truncated").asBoolean()).isFalse();
        assertThat(fixture.command("c1").stdoutText()).isEqualTo("hello\n");
    }

    @Test
    void shouldSendLineByLineOutputInFewChunks() {
        // given: a shell loop writes 30,000 lines, one write each (as a flushed program does)
        Session session = connected(16);
        // when
        session.send(Messages.command("c1", null, "i=0; while [ $i -lt 30000 ]; do echo \"line $i\"; i=$((i+1)); done",
                60_000, 1 << 20, null, null));
        // then: every byte, in chunks that waited up to 20 ms to fill: far fewer than one per line
        JsonNode result = resultOf("c1");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 30_000; i++) {
            expected.append("line ").append(i).append('\n');
        }
        assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_SUCCEEDED);
        assertThat(result.get("truncated").asBoolean()).isFalse();
        assertThat(fixture.command("c1").stdoutText()).isEqualTo(expected.toString());
        long seconds = Math.max(1, result.get("duration_ms").asLong() / 1000 + 1);
        assertThat(fixture.command("c1").chunks).as("chunks for %d ms of output", result.get("duration_ms").asLong())
                .isLessThanOrEqualTo(60 * seconds);
    }

    @Test
    void shouldReportANonZeroExitAsFailedWithTheCode() {
        Session session = connected(16);
        session.send(Messages.command("c1", List.of("/bin/sh", "-c", "echo oops >&2; exit 3"), null, 10_000, 1_000, null, null));
        JsonNode result = resultOf("c1");
        assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_FAILED);
        assertThat(result.get("exit_code").asInt()).isEqualTo(3);
        assertThat(fixture.command("c1").stderr.toString()).isEqualTo("oops\n");
    }

    @Test
    void shouldFailWithoutExitCodeWhenTheProgramCannotStart() {
        Session session = connected(16);
        session.send(Messages.command("c1", List.of("/nonexistent/program"), null, 10_000, 1_000, null, null));
        JsonNode result = resultOf("c1");
        assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_FAILED);
        assertThat(result.get("exit_code").isNull()).isTrue();
        assertThat(result.get("error").asText()).startsWith("cannot start").contains("/nonexistent/program");
    }

    @Test
    void shouldPassEnvironmentAndWorkingDirectory(@TempDir Path dir) throws Exception {
        Session session = connected(16);
        session.send(Messages.command("c1", null, "echo \"$GREETING\"; pwd", 10_000, 1_000, Map.of("GREETING", "hi there"), dir.toString()));
        assertThat(resultOf("c1").get("state").asText()).isEqualTo(Protocol.STATE_SUCCEEDED);
        assertThat(fixture.command("c1").stdoutText()).isEqualTo("hi there\n" + dir.toRealPath() + "\n");
    }

    @Test
    void shouldKillTheProcessTreeOnTimeout() {
        // given
        Session session = connected(16);
        // when: sh waits for its child sleep, so both must die
        session.send(Messages.command("c1", null, "echo started; sleep 30; echo never", 500, 1_000, null, null));
        // then
        JsonNode result = resultOf("c1");
        assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_TIMED_OUT);
        assertThat(result.get("exit_code").isNull()).isTrue();
        assertThat(result.get("error").asText()).contains("500 ms");
        assertThat(result.get("duration_ms").asLong()).isLessThan(30_000);
        assertThat(fixture.command("c1").stdoutText()).isEqualTo("started\n");
        await().atMost(GENEROUS).until(() -> noSleepLeft());
    }

    @Test
    void shouldKillTheProcessTreeOnCancel() {
        // given
        Session session = connected(16);
        session.send(Messages.command("c1", null, "echo started; sleep 30; echo never", 60_000, 1_000, null, null));
        await().atMost(GENEROUS).until(() -> fixture.command("c1").stdoutText().equals("started\n"));
        // when
        session.send(Messages.cancel("c1"));
        // then
        JsonNode result = resultOf("c1");
        assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_CANCELLED);
        assertThat(result.get("exit_code").isNull()).isTrue();
        await().atMost(GENEROUS).until(() -> noSleepLeft());
    }

    @Test
    void shouldTruncateOutputBeyondTheLimitButCountIt() {
        Session session = connected(16);
        session.send(Messages.command("c1", null, "head -c 100000 /dev/zero; echo tail >&2", 10_000, 1_000, null, null));
        JsonNode result = resultOf("c1");
        assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_SUCCEEDED);
        assertThat(result.get("truncated").asBoolean()).isTrue();
        assertThat(result.get("output_bytes").asLong()).isEqualTo(100_005);
        CommandLog log = fixture.command("c1");
        assertThat(log.stdout.size() + log.stderr.size()).isEqualTo(1_000);
    }

    @Test
    void shouldStreamFiveMegabytesOfRandomBytesIntact(@TempDir Path dir) throws Exception {
        // given
        Session session = connected(16);
        Path copy = dir.resolve("random.bin");
        // when: the same bytes go to stdout and to a file
        session.send(Messages.command("c1", null, "head -c 5000000 /dev/urandom | tee " + copy, 60_000, 10_000_000, null, null));
        // then
        JsonNode result = resultOf("c1");
        assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_SUCCEEDED);
        assertThat(result.get("output_bytes").asLong()).isEqualTo(5_000_000);
        assertThat(result.get("truncated").asBoolean()).isFalse();
        CommandLog log = fixture.command("c1");
        byte[] received = log.stdout.toByteArray();
        assertThat(received).hasSize(5_000_000);
        assertThat(sha256(received)).isEqualTo(sha256(Files.readAllBytes(copy)));
        assertThat(log.chunks).isGreaterThanOrEqualTo(5_000_000 / Protocol.MAX_CHUNK_BYTES);
    }

    @Test
    void shouldRefuseCommandsBeyondMaxConcurrent() {
        // given one command running on an agent that runs one at a time
        Session session = connected(1);
        session.send(Messages.command("c1", null, "echo started; sleep 30", 60_000, 1_000, null, null));
        await().atMost(GENEROUS).until(() -> fixture.command("c1").stdoutText().equals("started\n"));
        // when
        session.send(Messages.command("c2", null, "echo second", 10_000, 1_000, null, null));
        // then
        JsonNode busy = resultOf("c2");
        assertThat(busy.get("state").asText()).isEqualTo(Protocol.STATE_FAILED);
        assertThat(busy.get("error").asText()).isEqualTo("agent busy");
        assertThat(busy.get("exit_code").isNull()).isTrue();
        session.send(Messages.cancel("c1"));
        assertThat(resultOf("c1").get("state").asText()).isEqualTo(Protocol.STATE_CANCELLED);
    }

    @Test
    void shouldRejectASecondCommandWithARunningId() {
        Session session = connected(16);
        session.send(Messages.command("c1", null, "echo started; sleep 30", 60_000, 1_000, null, null));
        await().atMost(GENEROUS).until(() -> fixture.command("c1").stdoutText().equals("started\n"));
        session.send(Messages.command("c1", null, "echo again", 10_000, 1_000, null, null));
        await().atMost(GENEROUS).until(() -> !session.ofType(Protocol.ERROR).isEmpty());
        assertThat(session.ofType(Protocol.ERROR).get(0).get("code").asText()).isEqualTo(Protocol.ERR_INVALID);
        session.send(Messages.cancel("c1"));
        assertThat(resultOf("c1").get("state").asText()).isEqualTo(Protocol.STATE_CANCELLED);
    }

    @Test
    void shouldKeepRunningAcrossAReconnectAndSendTheResultAfterIt(@TempDir Path dir) throws Exception {
        // given a command that runs until a flag file appears
        Session first = connected(16);
        Path flag = dir.resolve("flag");
        first.send(Messages.command("c1", null, "echo started; while [ ! -e " + flag + " ]; do sleep 0.05; done; echo after", 60_000, 1_000, null, null));
        await().atMost(GENEROUS).until(() -> fixture.command("c1").stdoutText().equals("started\n"));
        // when the socket drops and the server refuses reconnects while the command ends
        fixture.rejectStatus = 503;
        first.close(Protocol.CLOSE_GOING_AWAY);
        await().atMost(GENEROUS).until(() -> fixture.refused.get() > 0);
        Files.createFile(flag);
        await().atMost(GENEROUS).until(() -> runner.running() == 0);
        fixture.rejectStatus = 0;
        // then the result comes on the next session, saying that output was lost
        JsonNode result = resultOf("c1");
        assertThat(fixture.session("a1", 1).ofType(Protocol.RESULT)).containsExactly(result);
        assertThat(result.get("state").asText()).isEqualTo(Protocol.STATE_SUCCEEDED);
        assertThat(result.get("output_bytes").asLong()).isEqualTo("started\nafter\n".length());
        assertThat(result.get("truncated").asBoolean()).isTrue();
        assertThat(fixture.command("c1").stdoutText()).isEqualTo("started\n");
    }

    private Session connected(int maxConcurrent) {
        agent("a1", "t1", maxConcurrent, List.of(fixture.url()));
        Session session = fixture.session("a1", 0);
        // the welcome is on its way before any command: the fixture sends it when the hello arrives
        return session;
    }

    private JsonNode resultOf(String commandId) {
        return await().atMost(GENEROUS).until(() -> fixture.command(commandId).result, r -> r != null);
    }

    private static boolean noSleepLeft() {
        return ProcessHandle.current().descendants()
                .noneMatch(p -> p.info().command().map(c -> c.endsWith("sleep")).orElse(false));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
