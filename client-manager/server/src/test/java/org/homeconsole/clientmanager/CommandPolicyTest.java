package org.homeconsole.clientmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandPolicyTest {

    @Test
    void withoutPatternsEverythingRuns() {
        assertThat(new CommandPolicy(List.of(), List.of()).refusal("rm -rf /")).isEmpty();
    }

    @Test
    void denyWinsOverAllow() {
        CommandPolicy policy = new CommandPolicy(List.of("*"), List.of("rm *", "re:.*\\bshutdown\\b.*"));
        assertThat(policy.refusal("uname -a")).isEmpty();
        assertThat(policy.refusal("rm -rf /tmp/x")).contains("command matches deny pattern 'rm *'");
        assertThat(policy.refusal("sudo shutdown -h now")).get().asString().contains("shutdown");
        assertThat(policy.refusal("shutdowns-are-fine")).isEmpty();
    }

    @Test
    void withAllowPatternsOnlyMatchingCommandsRun() {
        CommandPolicy policy = new CommandPolicy(List.of("echo *", "uname ?a"), List.of());
        assertThat(policy.refusal("echo hi")).isEmpty();
        assertThat(policy.refusal("uname -a")).isEmpty();
        assertThat(policy.refusal("cat /etc/shadow")).contains("command matches no allow pattern");
    }
}
