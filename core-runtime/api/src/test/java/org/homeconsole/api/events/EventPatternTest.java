package org.homeconsole.api.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventPatternTest {

    @Test
    void shouldMatchExactTypeOnly() {
        EventPattern pattern = EventPattern.of("device.state_changed");
        assertThat(pattern.matches("device.state_changed")).isTrue();
        assertThat(pattern.matches("device.state_changed.x")).isFalse();
        assertThat(pattern.matches("device")).isFalse();
    }

    @Test
    void shouldMatchAnySuffixWithTrailingStar() {
        EventPattern pattern = EventPattern.of("device.*");
        assertThat(pattern.matches("device.state_changed")).isTrue();
        assertThat(pattern.matches("device.battery.low")).isTrue();
        assertThat(pattern.matches("device")).isFalse();
        assertThat(pattern.matches("devices.x")).isFalse();
    }

    @Test
    void shouldMatchOneSegmentWithInnerStar() {
        EventPattern pattern = EventPattern.of("device.*.changed");
        assertThat(pattern.matches("device.lamp.changed")).isTrue();
        assertThat(pattern.matches("device.lamp.x.changed")).isFalse();
        assertThat(pattern.matches("device.lamp.created")).isFalse();
    }

    @Test
    void shouldMatchEverythingWithLoneStar() {
        assertThat(EventPattern.of("*").matches("anything.at.all")).isTrue();
    }

    @Test
    void shouldRejectInvalidPatternNamingIt() {
        assertThatThrownBy(() -> EventPattern.of("device..x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device..x");
        assertThatThrownBy(() -> EventPattern.of("dev*")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventPattern.of("")).isInstanceOf(IllegalArgumentException.class);
    }
}
