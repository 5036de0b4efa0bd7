package io.jcluster.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

    @Test
    void backoffDelaysAreZeroThenDoubleFromTheInitialDelay() {
        RestartPolicy p = RestartPolicy.BACKOFF;
        assertThat(p.delay(1)).isEqualTo(Duration.ZERO);
        assertThat(p.delay(2)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.delay(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.delay(4)).isEqualTo(Duration.ofMillis(400));
        assertThat(p.delay(5)).isEqualTo(Duration.ofMillis(800));
        assertThat(p.delay(9)).isEqualTo(Duration.ofMillis(12_800));
    }

    @Test
    void delaysAreCappedAtMaxDelay() {
        RestartPolicy p = RestartPolicy.BACKOFF;
        assertThat(p.delay(10)).isEqualTo(Duration.ofSeconds(15)); // 25.6 s uncapped
        assertThat(p.delay(11)).isEqualTo(Duration.ofSeconds(15));
        assertThat(p.delay(1_000)).isEqualTo(Duration.ofSeconds(15));
        assertThat(p.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void delaysNeverDecreaseAndNeverExceedTheCap() {
        RestartPolicy p = RestartPolicy.BACKOFF.withBackoff(Duration.ofMillis(70), 1.5, Duration.ofSeconds(3));
        Duration previous = Duration.ZERO;
        for (int n = 1; n < 200; n++) {
            Duration d = p.delay(n);
            assertThat(d).as("n=%d", n).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(Duration.ofSeconds(3));
            previous = d;
        }
        assertThat(previous).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void zeroOrNegativeCountMeansNoDelay() {
        assertThat(RestartPolicy.BACKOFF.delay(0)).isEqualTo(Duration.ZERO);
        assertThat(RestartPolicy.BACKOFF.delay(-3)).isEqualTo(Duration.ZERO);
    }

    @Test
    void factorOneGivesAConstantDelay() {
        RestartPolicy p = RestartPolicy.BACKOFF.withBackoff(Duration.ofMillis(250), 1, Duration.ofSeconds(5));
        assertThat(p.delay(2)).isEqualTo(Duration.ofMillis(250));
        assertThat(p.delay(50)).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void constants() {
        assertThat(RestartPolicy.NEVER.enabled()).isFalse();
        assertThat(RestartPolicy.BACKOFF.enabled()).isTrue();
        assertThat(RestartPolicy.BACKOFF.maxRestarts()).isEqualTo(10);
        assertThat(RestartPolicy.BACKOFF.window()).isEqualTo(Duration.ofSeconds(60));
        assertThat(RestartPolicy.BACKOFF.resetAfter()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void withersChangeOnlyTheirFields() {
        RestartPolicy p = RestartPolicy.BACKOFF.withMaxRestarts(3, Duration.ofSeconds(5));
        assertThat(p).isEqualTo(new RestartPolicy(true, Duration.ofMillis(100), 2, Duration.ofSeconds(15),
                Duration.ofSeconds(10), 3, Duration.ofSeconds(5)));
        assertThat(p.withResetAfter(Duration.ofSeconds(1)).resetAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.withResetAfter(Duration.ofSeconds(1)).maxRestarts()).isEqualTo(3);
    }

    @Test
    void factorBelowOneIsRejected() {
        assertThatThrownBy(() -> new RestartPolicy(true, Duration.ofMillis(100), 0.5, Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("factor");
        assertThatThrownBy(() -> RestartPolicy.BACKOFF.withBackoff(Duration.ofMillis(1), 0.999, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("factor");
    }

    @Test
    void negativeMaxRestartsIsRejected() {
        assertThatThrownBy(() -> RestartPolicy.BACKOFF.withMaxRestarts(-1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRestarts");
        assertThat(RestartPolicy.BACKOFF.withMaxRestarts(0, Duration.ofSeconds(1)).maxRestarts()).isZero();
    }
}
