package io.jcluster.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings add up as Node's setupPrimary calls do: each call changes what it sets and keeps the rest. */
class ClusterSettingsTest {

    @Test
    void unsetValuesReadAsTheDefaults() {
        ClusterSettings s = new ClusterSettings();
        assertThat(s.jvmArgs()).isEqualTo(ClusterSettings.LEAN_JVM_ARGS);
        assertThat(s.restart()).isEqualTo(RestartPolicy.NEVER);
        assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.silent()).isFalse();
        assertThat(s.handleSignals()).isTrue();
        assertThat(s.window()).isEqualTo(64);
        assertThat(s.env()).isEmpty();
        assertThat(s.classDataSharing()).isTrue();
        assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void eachMergeKeepsWhatItDoesNotSet() {
        ClusterSettings s = new ClusterSettings().merge(new ClusterSettings().mainClass("a.Main"));
        s = s.merge(new ClusterSettings().args(List.of("foo", "bar")));
        s = s.merge(new ClusterSettings().jvmArgs(List.of("-Xmx64m")));
        s = s.merge(new ClusterSettings().silent(true).shutdownTimeout(Duration.ofSeconds(3)));
        s = s.merge(new ClusterSettings());

        assertThat(s.mainClass()).isEqualTo("a.Main");
        assertThat(s.args()).containsExactly("foo", "bar");
        assertThat(s.jvmArgs()).containsExactly("-Xmx64m");
        assertThat(s.silent()).isTrue();
        assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.window()).isEqualTo(64);
    }

    @Test
    void aLaterFalseOverridesAnEarlierTrue() {
        ClusterSettings s = new ClusterSettings().silent(true).handleSignals(false)
                .merge(new ClusterSettings().silent(false).handleSignals(true));
        assertThat(s.silent()).isFalse();
        assertThat(s.handleSignals()).isTrue();
    }

    @Test
    void aJarReplacesAMainClassAndTheOtherWayRound() {
        ClusterSettings s = new ClusterSettings().mainClass("a.Main").merge(new ClusterSettings().jar(Path.of("app.jar")));
        assertThat(s.jar()).isEqualTo(Path.of("app.jar"));
        assertThat(s.mainClass()).isNull();
        s = s.merge(new ClusterSettings().mainClass("b.Main"));
        assertThat(s.mainClass()).isEqualTo("b.Main");
        assertThat(s.jar()).isNull();
    }

    @Test
    void mergeLeavesBothSidesAlone() {
        ClusterSettings base = new ClusterSettings().env(Map.of("A", "1"));
        ClusterSettings over = new ClusterSettings().env(Map.of("B", "2"));
        ClusterSettings merged = base.merge(over);
        assertThat(merged.env()).containsExactly(Map.entry("B", "2"));
        assertThat(base.env()).containsExactly(Map.entry("A", "1"));
        over.env(Map.of("C", "3"));
        assertThat(merged.env()).containsExactly(Map.entry("B", "2"));
    }
}
