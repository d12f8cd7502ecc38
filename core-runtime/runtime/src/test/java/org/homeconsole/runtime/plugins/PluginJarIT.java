package org.homeconsole.runtime.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.homeconsole.api.plugin.PluginState;
import org.homeconsole.runtime.Platform;
import org.homeconsole.runtime.PlatformAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin that exists only as a jar in the plugins folder (compiled here, so it is on no classpath) is
 * found, loaded and started; a broken jar beside it is reported and stops nothing.
 */
class PluginJarIT {

    private static final String GREETER = """
            package jarplugin;

            import org.homeconsole.api.plugin.Plugin;
            import org.homeconsole.api.plugin.PluginContext;
            import org.homeconsole.api.plugin.PluginInfo;

            @PluginInfo(name = "greeter", version = "2.1.0", dependencies = "devices")
            public class GreeterPlugin implements Plugin {
                private PluginContext context;

                @Override
                public void onLoad(PluginContext context) {
                    this.context = context;
                }

                @Override
                public void onStart() {
                    context.services().register("greeter.hello", args -> "hello " + args.asText() + " from a jar");
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void shouldLoadPluginFromJarInPluginsFolderAndReportBrokenJar() throws Exception {
        // given
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = plugins.resolve("greeter-2.1.0.jar");
        buildPluginJar(jar);
        writeJar(plugins.resolve("broken.jar"), Map.of("META-INF/services/org.homeconsole.api.plugin.Plugin", "nowhere.MissingPlugin\n"));
        Map<String, String> settings = PlatformAccess.settings(dir);
        settings.put("HOMECONSOLE_PLUGINS_DIR", plugins.toString());

        // when
        try (Platform platform = PlatformAccess.start(dir, settings)) {
            // then
            PluginStatus greeter = platform.plugins().get("greeter");
            assertThat(greeter.state()).isEqualTo(PluginState.STARTED);
            assertThat(greeter.version()).isEqualTo("2.1.0");
            assertThat(greeter.origin()).isEqualTo(jar.toString());
            assertThat(platform.kernel().services().call("greeter.hello", "lamp").asText()).isEqualTo("hello lamp from a jar");
            assertThat(platform.plugins().problems()).anySatisfy(problem -> {
                assertThat(problem.origin()).endsWith("broken.jar");
                assertThat(problem.message()).contains("nowhere.MissingPlugin");
            });
            assertThat(platform.plugins().get("devices").state()).isEqualTo(PluginState.STARTED);
        }
    }

    private void buildPluginJar(Path jar) throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src/jarplugin"));
        Files.writeString(sources.resolve("GreeterPlugin.java"), GREETER);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int result = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), sources.resolve("GreeterPlugin.java").toString());
        assertThat(result).as("compiling the jar plugin").isZero();
        Map<String, Object> entries = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                entries.put(classes.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        entries.put("META-INF/services/org.homeconsole.api.plugin.Plugin", "jarplugin.GreeterPlugin\n");
        writeJar(jar, entries);
    }

    private static void writeJar(Path jar, Map<String, ?> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
            for (Map.Entry<String, ?> entry : entries.entrySet()) {
                zip.putNextEntry(new JarEntry(entry.getKey()));
                Object content = entry.getValue();
                zip.write(content instanceof byte[] bytes ? bytes : content.toString().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
    }

}
