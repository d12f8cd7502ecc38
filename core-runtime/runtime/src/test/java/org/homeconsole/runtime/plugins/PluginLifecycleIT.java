package org.homeconsole.runtime.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.homeconsole.api.plugin.Plugin;
import org.homeconsole.api.plugin.PluginState;
import org.homeconsole.api.services.ServiceNotFoundException;
import org.homeconsole.runtime.Platform;
import org.homeconsole.runtime.PlatformAccess;
import org.homeconsole.runtime.fixtures.lifecycle.FixturePlugins;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin ordering, refusal of missing dependencies and cycles, and start-failure isolation, on a real node
 * (real Kafka, SQLite). The fixture plugins are given to a fresh manager wired like the node's own.
 */
class PluginLifecycleIT {

    @TempDir
    static Path dir;
    static Platform platform;
    PluginManager manager;

    @BeforeAll
    static void startPlatform() {
        platform = PlatformAccess.start(dir, PlatformAccess.settings(dir));
    }

    @AfterAll
    static void stopPlatform() {
        platform.close();
    }

    @BeforeEach
    void newManager() {
        FixturePlugins.CALLS.clear();
        manager = PluginManager.create(platform.kernel(), platform.camel(),
                new org.homeconsole.runtime.routes.RouteOwnership(platform.camel()), new PortGuard(platform.settings().httpPort()),
                new PluginHost(platform.camel(), platform.httpServers(), header -> false,
                name -> java.util.Optional.empty()));
    }

    @AfterEach
    void unloadFixtures() {
        manager.unloadAll();
    }

    @Test
    void shouldStartInDependencyOrderAndStopInReverse() {
        // given
        install(FixturePlugins.Top.class, FixturePlugins.Base.class, FixturePlugins.Middle.class);
        // when
        manager.startAll();
        // then
        assertThat(FixturePlugins.CALLS).containsExactly("base:load", "middle:load", "top:load", "base:start", "middle:start", "top:start");
        assertThat(manager.list()).extracting(PluginStatus::state).containsOnly(PluginState.STARTED);
        assertThat(manager.notStarted()).isEmpty();
        assertThat(platform.kernel().services().call("fixture.base.ping", null).asText()).isEqualTo("pong");

        // a plugin others depend on cannot be stopped alone
        assertThatThrownBy(() -> manager.stop("base")).isInstanceOf(IllegalStateException.class).hasMessageContaining("depends on it");

        FixturePlugins.CALLS.clear();
        manager.unloadAll();
        assertThat(FixturePlugins.CALLS).containsExactly("top:stop", "middle:stop", "base:stop", "top:unload", "middle:unload", "base:unload");
        assertThat(manager.list()).extracting(PluginStatus::state).containsOnly(PluginState.UNLOADED);
        // what the plugin registered went away with it
        assertThatThrownBy(() -> platform.kernel().services().call("fixture.base.ping", null)).isInstanceOf(ServiceNotFoundException.class);
    }

    @Test
    void shouldRefuseMissingDependencyAndCycleNamingThePlugins() {
        install(FixturePlugins.Orphan.class, FixturePlugins.CycleA.class, FixturePlugins.CycleB.class, FixturePlugins.Base.class);
        manager.startAll();
        Map<String, PluginStatus> byName = byName();
        assertThat(byName.get("base").state()).isEqualTo(PluginState.STARTED);
        assertThat(byName.get("orphan").state()).isEqualTo(PluginState.FAILED);
        assertThat(byName.get("orphan").error()).contains("'not-installed'").contains("not installed");
        assertThat(byName.get("cycle-a").error()).contains("cycle-a -> cycle-b -> cycle-a");
        assertThat(byName.get("cycle-b").state()).isEqualTo(PluginState.FAILED);
        assertThat(FixturePlugins.CALLS).containsExactly("base:load", "base:start");
        assertThat(manager.notStarted()).anySatisfy(reason -> assertThat(reason).contains("orphan"));
        manager.unloadAll();
    }

    @Test
    void shouldIsolateAPluginThatFailsToStart() {
        install(FixturePlugins.Broken.class, FixturePlugins.NeedsBroken.class, FixturePlugins.Base.class, FixturePlugins.Middle.class);
        manager.startAll();
        Map<String, PluginStatus> byName = byName();
        assertThat(byName.get("broken").state()).isEqualTo(PluginState.FAILED);
        assertThat(byName.get("broken").error()).contains("cannot reach the lamp hub");
        assertThat(byName.get("needs-broken").state()).isEqualTo(PluginState.FAILED);
        assertThat(byName.get("needs-broken").error()).contains("dependency 'broken' is not started");
        assertThat(byName.get("base").state()).isEqualTo(PluginState.STARTED);
        assertThat(byName.get("middle").state()).isEqualTo(PluginState.STARTED);
        // the failed plugin's subscription did not survive; the core and other plugins still work
        assertThat(platform.kernel().services().call("fixture.base.ping", null).asText()).isEqualTo("pong");
        platform.kernel().events().publish("fixture.hello", "x", Map.of("a", 1));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(FixturePlugins.CALLS).contains("base:event:fixture.hello"));
        manager.unloadAll();
    }

    @Test
    void shouldRefuseAPluginRouteThatWouldOpenItsOwnServer() throws Exception {
        // given a plugin whose route would serve netty-http on a port of its own
        int port = org.homeconsole.runtime.PlatformAccess.freePort();
        FixturePlugins.ownServerPort = port;
        install(FixturePlugins.OwnServerRoute.class, FixturePlugins.Base.class);
        // when
        manager.startAll();
        // then it is refused before anything binds that port; the other plugin runs
        PluginStatus refused = manager.get("own-server-route");
        assertThat(refused.state()).isEqualTo(PluginState.FAILED);
        assertThat(refused.error()).contains("own-server-route").contains("netty-http").contains("its own server");
        assertThat(platform.camel().getRoute("own-server")).isNull();
        try (java.net.ServerSocket free = new java.net.ServerSocket(port)) {
            assertThat(free.isBound()).isTrue();
        }
        assertThat(manager.get("base").state()).isEqualTo(PluginState.STARTED);
    }

    @Test
    void shouldShowFailedPluginsOnReady() throws Exception {
        // the node's own /ready sees its own manager; show that a failure there makes it 503 with the reason
        PluginManager own = platform.plugins();
        assertThat(own.notStarted()).isEmpty();
        own.stop("devices");
        try {
            var response = PlatformAccess.get(platform, "/ready");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("plugin 'devices' is STOPPED");
        } finally {
            own.start("devices");
        }
    }

    @SafeVarargs
    private void install(Class<? extends Plugin>... types) {
        List<PluginDescriptor> descriptors = java.util.Arrays.stream(types).map(t -> PluginDescriptor.of(t, "test")).toList();
        manager.install(new PluginDiscovery.Result(descriptors, List.of()));
    }

    private Map<String, PluginStatus> byName() {
        Map<String, PluginStatus> map = new java.util.HashMap<>();
        manager.list().forEach(s -> map.put(s.name(), s));
        return map;
    }
}
