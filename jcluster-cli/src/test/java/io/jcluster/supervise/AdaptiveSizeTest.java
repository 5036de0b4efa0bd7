package io.jcluster.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AdaptiveSizeTest {
    private static final long S = 1_000_000_000L;
    private static final Duration LOW_LAG = Duration.ofMillis(1);
    private final AdaptiveSize size = new AdaptiveSize(2, 4, new AdaptiveSize.Settings(70, 20, Duration.ofMillis(50),
            Duration.ofSeconds(5), Duration.ofSeconds(30)));

    @Test
    void addsOneWorkerOnlyAfterBusyLastedTheWholeWindow() {
        for (int t = 0; t < 5; t++) {
            assertThat(size.sample(t * S, 2, 90, LOW_LAG)).as("second %d", t).isNull();
        }
        AdaptiveSize.Decision d = size.sample(5 * S, 2, 90, LOW_LAG);
        assertThat(d.delta()).isEqualTo(1);
        assertThat(d.to()).isEqualTo(3);
        assertThat(d.reason()).contains("busy for 5s").contains("mean worker CPU 90%");
        assertThat(size.sample(6 * S, 3, 90, LOW_LAG)).as("the window starts over after a decision").isNull();
    }

    @Test
    void aQuietSecondInsideTheWindowStartsItOver() {
        size.sample(0, 2, 90, LOW_LAG);
        size.sample(3 * S, 2, 90, LOW_LAG);
        size.sample(4 * S, 2, 40, LOW_LAG); // neither busy nor idle
        assertThat(size.sample(6 * S, 2, 90, LOW_LAG)).isNull();
        assertThat(size.sample(11 * S, 2, 90, LOW_LAG)).isNotNull();
    }

    @Test
    void eventLoopLagAloneIsBusy() {
        size.sample(0, 3, 30, Duration.ofMillis(80));
        AdaptiveSize.Decision d = size.sample(5 * S, 3, 30, Duration.ofMillis(80));
        assertThat(d.delta()).isEqualTo(1);
        assertThat(d.reason()).contains("lag 80.0 ms");
    }

    @Test
    void neverBeyondMaxNorBelowMin() {
        for (int t = 0; t <= 60; t++) {
            assertThat(size.sample(t * S, 4, 100, Duration.ofMillis(500))).isNull();
            assertThat(size.sample(t * S, 2, 0, LOW_LAG)).isNull();
        }
    }

    @Test
    void retiresOneWorkerAfterIdleLastedTheLongerWindow() {
        for (int t = 0; t < 30; t++) {
            assertThat(size.sample(t * S, 4, 5, LOW_LAG)).isNull();
        }
        AdaptiveSize.Decision d = size.sample(30 * S, 4, 5, LOW_LAG);
        assertThat(d.delta()).isEqualTo(-1);
        assertThat(d.reason()).startsWith("idle for 30s");
    }

    @Test
    void unknownCpuIsNeverIdleNorBusy() {
        for (int t = 0; t <= 40; t++) {
            assertThat(size.sample(t * S, 3, -1, null)).isNull();
        }
    }
}
