package org.homeconsole.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.homeconsole.agent.AgentOptions.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentOptionsTest {

    @TempDir
    Path dir;

    @Test
    void shouldParseARealAgentWithDefaults() throws Exception {
        AgentOptions options = AgentOptions.parse(new String[] {"--url", "ws://cm:10000/ws", "--url=wss://cm2/ws", "--token", "t",
                "--label", "role=web", "--label", "site=home"}, "web-01.lan");
        assertThat(options.urls()).containsExactly(URI.create("ws://cm:10000/ws"), URI.create("wss://cm2/ws"));
        assertThat(options.credentials()).containsExactly(new Credentials("web-01.lan", "t"));
        assertThat(options.labels()).isEqualTo(Map.of("role", "web", "site", "home"));
        assertThat(options.maxConcurrent()).isEqualTo(16);
        assertThat(options.simulate()).isZero();
    }

    @Test
    void shouldReadTheTokenFileAndTheTokensFile() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "\n  secret  \n");
        Path tokens = Files.writeString(dir.resolve("tokens"), "# fleet\nsim-1 t1\n\nsim-2\tt2\nsim-3 t3\n");
        assertThat(AgentOptions.parse(new String[] {"--url", "ws://cm/ws", "--token-file", token.toString(), "--id", "a1"}, null)
                .credentials()).containsExactly(new Credentials("a1", "secret"));
        assertThat(AgentOptions.parse(new String[] {"--url", "ws://cm/ws", "--simulate", "2", "--tokens-file", tokens.toString()}, null)
                .credentials()).containsExactly(new Credentials("sim-1", "t1"), new Credentials("sim-2", "t2"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --token t                                      | --url
            --url http://cm/ws --token t                   | --url
            --url ws://cm/ws                               | --token
            --url ws://cm/ws --token t --token-file f      | --token-file
            --url ws://cm/ws --token-file /nonexistent/f   | --token-file
            --url ws://cm/ws --token t --id bad/id         | --id
            --url ws://cm/ws --token t --label novalue     | --label
            --url ws://cm/ws --token t --max-concurrent 0  | --max-concurrent
            --url ws://cm/ws --token t --bogus             | --bogus
            --url ws://cm/ws --token t --id                | --id
            --url ws://cm/ws --simulate 10                 | --tokens-file
            --url ws://cm/ws --simulate x                  | --simulate
            --url ws://cm/ws --token t --tokens-file f     | --tokens-file
            """)
    void shouldRejectBadArgumentsNamingTheOption(String line, String option) {
        String[] args = line.split(" ");
        assertThatThrownBy(() -> AgentOptions.parse(args, "host")).isInstanceOf(UsageException.class).hasMessageContaining(option);
    }

    @Test
    void shouldRejectATokensFileWithTooFewAgents() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "sim-1 t1\n");
        assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--url", "ws://cm/ws", "--simulate", "5", "--tokens-file", tokens.toString()}, null))
                .isInstanceOf(UsageException.class).hasMessageContaining("--tokens-file").hasMessageContaining("5");
    }

    @Test
    void shouldHideTheTokenFromToString() {
        assertThat(new Credentials("a1", "secret").toString()).doesNotContain("secret");
    }

    @Test
    void shouldKeepBackoffWithinItsCeilingUpTo30Seconds() {
        assertThat(Backoff.ceiling(0)).isEqualTo(250);
        assertThat(Backoff.ceiling(1)).isEqualTo(500);
        assertThat(Backoff.ceiling(7)).isEqualTo(30_000);
        assertThat(Backoff.ceiling(1_000)).isEqualTo(30_000);
        for (int attempt = 0; attempt < 40; attempt++) {
            assertThat(Backoff.delay(attempt)).isBetween(0L, Backoff.ceiling(attempt) - 1);
        }
    }
}
