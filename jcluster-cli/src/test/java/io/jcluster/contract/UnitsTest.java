package io.jcluster.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void durations() {
        assertThat(Units.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.duration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Units.duration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Units.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Units.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Units.duration(" 1H ")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> Units.duration("soon")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Units.duration("-1s")).hasMessageContaining("not a duration");
    }

    @Test
    void sizes() {
        assertThat(Units.size("512M")).isEqualTo(512L << 20);
        assertThat(Units.size("1G")).isEqualTo(1L << 30);
        assertThat(Units.size("1.5g")).isEqualTo(3L << 29);
        assertThat(Units.size("64k")).isEqualTo(64L << 10);
        assertThat(Units.size("100MB")).isEqualTo(100L << 20);
        assertThat(Units.size("1000")).isEqualTo(1000);
        assertThatThrownBy(() -> Units.size("big")).hasMessageContaining("not a size");
    }

    @Test
    void formatting() {
        assertThat(Units.formatSize(900)).isEqualTo("900B");
        assertThat(Units.formatSize(64L << 20)).isEqualTo("64.0M");
        assertThat(Units.formatSize(300L << 20)).isEqualTo("300M");
        assertThat(Units.formatSize(-1)).isEqualTo("-");
        assertThat(Units.formatUptime(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Units.formatUptime(Duration.ofSeconds(192))).isEqualTo("3m12s");
        assertThat(Units.formatUptime(Duration.ofMinutes(125))).isEqualTo("2h05m");
        assertThat(Units.formatUptime(Duration.ofHours(76))).isEqualTo("3d04h");
        assertThat(Units.formatDuration(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Units.formatDuration(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Units.formatDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
    }
}
