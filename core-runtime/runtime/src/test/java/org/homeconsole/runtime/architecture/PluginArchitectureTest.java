package org.homeconsole.runtime.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Fails the build when plugin code opens a port or creates a server. Every plugin on the test classpath
 * (the example plugins, and the client manager once it is a plugin) is checked; the fixtures that break
 * the rule on purpose are checked separately to show the rule bites.
 */
class PluginArchitectureTest {

    private static final String FIXTURES = "org.homeconsole.runtime.fixtures";

    @Test
    void shouldFindNoServerCodeInAnyPlugin() {
        // given every Home Console class on the classpath but the deliberate fixtures
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(location -> !location.contains("/fixtures/"))
                .importPackages("org.homeconsole");
        Set<String> packages = PluginArchitectureRules.pluginPackages(classes).stream()
                .filter(p -> !p.startsWith(FIXTURES)).collect(Collectors.toSet());
        // then the example plugins are among those checked, and none breaks the rule
        assertThat(packages).contains("org.homeconsole.examples.devices..");
        PluginArchitectureRules.noServersIn(packages).check(classes);
    }

    @Test
    void shouldFailOnAPluginThatOpensAServer() {
        // given the fixture plugins that open a ServerSocket and a Vert.x HTTP server
        JavaClasses classes = new ClassFileImporter().withImportOption(new ImportOption.OnlyIncludeTests())
                .importPackages(FIXTURES + ".serverplugin");
        Set<String> packages = PluginArchitectureRules.pluginPackages(classes);
        // when / then
        assertThatThrownBy(() -> PluginArchitectureRules.noServersIn(packages).check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ServerOpeningPlugin")
                .hasMessageContaining("java.net.ServerSocket")
                .hasMessageContaining("HttpServerPlugin");
    }
}
