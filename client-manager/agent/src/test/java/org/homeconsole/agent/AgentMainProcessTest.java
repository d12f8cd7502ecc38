package org.homeconsole.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.homeconsole.agent.FixtureServer.Session;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AgentMain} as a real child process: exit codes and signal handling. */
class AgentMainProcessTest {

    @TempDir
    Path dir;
    FixtureServer fixture;
    Process agent;

    @BeforeEach
    void startFixture() throws Exception {
        fixture = new FixtureServer(Map.of("a1", "t1"));
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.destroyForcibly();
        }
        fixture.close();
    }

    @Test
    void shouldExitWith3WhenTheServerRefusesTheToken() throws Exception {
        // when
        agent = start("--url", fixture.url().toString(), "--token", "wrong", "--id", "a1");
        // then
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isEqualTo(3);
        assertThat(output()).contains("refused the token (HTTP 401)");
    }

    @Test
    void shouldCloseTheSocketAndExit0OnSigterm() throws Exception {
        // given
        Path tokenFile = Files.writeString(dir.resolve("token"), "t1\n");
        agent = start("--url", fixture.url().toString(), "--token-file", tokenFile.toString(), "--id", "a1", "--label", "site=lab");
        Session session = fixture.session("a1", 0);
        assertThat(session.hello.get("labels").get("site").asText()).isEqualTo("lab");
        // when
        agent.destroy(); // SIGTERM
        // then
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).as(output()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> session.closeCode != null);
        assertThat(session.closeCode).isEqualTo(Protocol.CLOSE_GOING_AWAY);
        assertThat(fixture.problems).isEmpty();
    }

    @Test
    void shouldExitWith2NamingTheBadOption() throws Exception {
        agent = start("--url", fixture.url().toString(), "--token", "t1", "--max-concurrent", "many");
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isEqualTo(2);
        assertThat(output()).contains("--max-concurrent");
    }

    private Process start(String... args) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", classpath, AgentMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
    }

    private String output() throws Exception {
        File log = dir.resolve("agent.log").toFile();
        return log.exists() ? Files.readString(log.toPath()) : "";
    }
}
