package org.homeconsole.runtime.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.homeconsole.runtime.fixtures.lifecycle.FixturePlugins;
import org.junit.jupiter.api.Test;

class DependencyOrderTest {

    @Test
    void shouldPutDependenciesFirst() {
        // given, listed in the worst order
        List<PluginDescriptor> plugins = List.of(d(FixturePlugins.Top.class), d(FixturePlugins.Middle.class), d(FixturePlugins.Base.class));
        // when
        DependencyOrder.Result result = DependencyOrder.of(plugins);
        // then
        assertThat(result.order()).extracting(PluginDescriptor::name).containsExactly("base", "middle", "top");
        assertThat(result.refused()).isEmpty();
    }

    @Test
    void shouldRefuseMissingDependencyNamingBoth() {
        DependencyOrder.Result result = DependencyOrder.of(List.of(d(FixturePlugins.Orphan.class), d(FixturePlugins.Base.class)));
        assertThat(result.order()).extracting(PluginDescriptor::name).containsExactly("base");
        assertThat(result.refused()).containsOnlyKeys("orphan");
        assertThat(result.refused().get("orphan")).contains("'orphan'").contains("'not-installed'").contains("not installed");
    }

    @Test
    void shouldRefuseCycleNamingItsMembers() {
        DependencyOrder.Result result = DependencyOrder.of(List.of(d(FixturePlugins.CycleA.class), d(FixturePlugins.CycleB.class), d(FixturePlugins.Base.class)));
        assertThat(result.order()).extracting(PluginDescriptor::name).containsExactly("base");
        assertThat(result.refused()).containsOnlyKeys("cycle-a", "cycle-b");
        assertThat(result.refused().get("cycle-a")).contains("cycle").contains("cycle-a -> cycle-b -> cycle-a");
    }

    @Test
    void shouldRefuseReadingAPluginWithoutMetadata() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PluginDescriptor.of(FixturePlugins.Anonymous.class, "test"))
                .hasMessageContaining("Anonymous").hasMessageContaining("@PluginInfo");
    }

    private static PluginDescriptor d(Class<? extends org.homeconsole.api.plugin.Plugin> type) {
        return PluginDescriptor.of(type, "test");
    }
}
