package io.jcluster.primary;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.cluster.RestartPolicy;
import io.jcluster.primary.RestartTracker.Decision;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartTrackerTest {
    private static final long SHORT = 50; // uptime well below resetAfter
    private static final long UP = 10_000; // uptime of exactly resetAfter: not a consecutive crash

    /** BACKOFF with room for many restarts, so only the back-off shows. */
    private static RestartTracker roomy() {
        return new RestartTracker(RestartPolicy.BACKOFF.withMaxRestarts(1_000, Duration.ofSeconds(60)));
    }

    @Test
    void consecutiveCrashesBackOffZero100_200_400UpToTheCap() {
        RestartTracker t = roomy();
        long[] expected = {0, 100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 15_000, 15_000, 15_000};
        long now = 1_000_000;
        for (int i = 0; i < expected.length; i++) {
            Decision d = t.onCrash(now + i, SHORT);
            assertThat(d.restart()).as("crash %d", i + 1).isTrue();
            assertThat(d.delay()).as("crash %d", i + 1).isEqualTo(Duration.ofMillis(expected[i]));
            assertThat(d.reason()).isNull();
            assertThat(t.consecutiveCrashes()).isEqualTo(i + 1);
        }
    }

    @Test
    void anUptimeOfAtLeastResetAfterResetsTheConsecutiveCount() {
        RestartTracker t = roomy();
        long now = 1_000_000;
        t.onCrash(now, SHORT);
        t.onCrash(now + 1, SHORT);
        assertThat(t.onCrash(now + 2, SHORT).delay()).isEqualTo(Duration.ofMillis(200));
        assertThat(t.consecutiveCrashes()).isEqualTo(3);

        // Ran exactly resetAfter (10 s): counts as healthy, replaced at once.
        Decision d = t.onCrash(now + 3, 10_000);
        assertThat(d.restart()).isTrue();
        assertThat(d.delay()).isEqualTo(Duration.ZERO);
        assertThat(t.consecutiveCrashes()).isEqualTo(1);

        // And the back-off starts over.
        assertThat(t.onCrash(now + 4, SHORT).delay()).isEqualTo(Duration.ofMillis(100));
        assertThat(t.consecutiveCrashes()).isEqualTo(2);
    }

    @Test
    void anUptimeJustBelowResetAfterDoesNotReset() {
        RestartTracker t = roomy();
        long now = 1_000_000;
        t.onCrash(now, SHORT);
        Decision d = t.onCrash(now + 1, 9_999);
        assertThat(d.delay()).isEqualTo(Duration.ofMillis(100));
        assertThat(t.consecutiveCrashes()).isEqualTo(2);
    }

    @Test
    void moreThanMaxRestartsWithinTheWindowIsACrashLoop() {
        RestartTracker t = new RestartTracker(RestartPolicy.BACKOFF); // 10 within 60 s
        long now = 5_000_000;
        for (int i = 0; i < 10; i++) {
            assertThat(t.onCrash(now + i * 1_000L, SHORT).restart()).as("restart %d", i + 1).isTrue();
        }
        Decision d = t.onCrash(now + 10_000, SHORT);
        assertThat(d.restart()).isFalse();
        assertThat(d.delay()).isEqualTo(Duration.ZERO);
        assertThat(d.reason()).contains("crash loop").contains("11 exits").contains("60 s").contains("limit 10");
    }

    @Test
    void theCrashLoopCountsRestartsEvenWhenTheWorkerRanLongEnoughToResetTheBackoff() {
        RestartTracker t = new RestartTracker(RestartPolicy.BACKOFF.withMaxRestarts(2, Duration.ofSeconds(60))
                .withResetAfter(Duration.ofSeconds(1)));
        long now = 5_000_000;
        assertThat(t.onCrash(now, 2_000).restart()).isTrue();
        assertThat(t.onCrash(now + 2_000, 2_000).restart()).isTrue();
        Decision d = t.onCrash(now + 4_000, 2_000);
        assertThat(d.restart()).isFalse();
        assertThat(d.reason()).contains("3 exits").contains("60 s");
    }

    @Test
    void restartsOlderThanTheWindowNoLongerCount() {
        RestartTracker t = new RestartTracker(RestartPolicy.BACKOFF.withMaxRestarts(2, Duration.ofSeconds(60)));
        long now = 5_000_000;
        // Workers that ran resetAfter each: only the window counts them, not the consecutive rule.
        assertThat(t.onCrash(now, UP).restart()).isTrue();
        assertThat(t.onCrash(now + 30_000, UP).restart()).isTrue();
        // The first restart is now 60.001 s old: only one counts, so this one is allowed.
        assertThat(t.onCrash(now + 60_001, UP).restart()).isTrue();
        // Now the restarts at +30 s and +60.001 s are both inside the window: a third is a loop.
        Decision d = t.onCrash(now + 60_002, UP);
        assertThat(d.restart()).isFalse();
        assertThat(d.reason()).contains("3 exits").contains("60 s");
    }

    @Test
    void restartsStillInsideTheWindowCount() {
        RestartTracker t = new RestartTracker(RestartPolicy.BACKOFF.withMaxRestarts(2, Duration.ofSeconds(60)));
        long now = 5_000_000;
        assertThat(t.onCrash(now, SHORT).restart()).isTrue();
        assertThat(t.onCrash(now + 1, SHORT).restart()).isTrue();
        assertThat(t.onCrash(now + 59_999, SHORT).restart()).isFalse();
    }

    @Test
    void aTrickleOfWorkersThatEachRanLongEnoughIsRestartedForever() {
        RestartTracker t = new RestartTracker(RestartPolicy.BACKOFF.withMaxRestarts(2, Duration.ofSeconds(10)));
        long now = 5_000_000;
        for (int i = 0; i < 100; i++) {
            // Each ran the full resetAfter (10 s): healthy workers that die now and then, never a loop.
            assertThat(t.onCrash(now + i * 11_000L, 10_000).restart()).as("crash %d", i + 1).isTrue();
        }
    }

    @Test
    void consecutiveShortLivedCrashesSpacedOutByTheBackoffAreACrashLoopToo() {
        // The default policy: 10 in 60 s. The back-off (up to 15 s) plus a slow boot spaces the crashes of a worker
        // that dies right after it starts beyond the window; the consecutive count still ends it.
        RestartTracker t = new RestartTracker(RestartPolicy.BACKOFF);
        long now = 5_000_000;
        for (int i = 0; i < 10; i++) {
            assertThat(t.onCrash(now + i * 20_000L, SHORT).restart()).as("crash %d", i + 1).isTrue();
        }
        Decision d = t.onCrash(now + 10 * 20_000L, SHORT);
        assertThat(d.restart()).isFalse();
        assertThat(d.reason()).isEqualTo("crash loop: 11 exits in a row, each less than 10 s after its start"
                + " (restart limit 10)");
    }

    @Test
    void oneWorkerThatRanLongEnoughStartsTheConsecutiveCountOver() {
        RestartTracker t = new RestartTracker(RestartPolicy.BACKOFF.withMaxRestarts(2, Duration.ofSeconds(10)));
        long now = 5_000_000;
        assertThat(t.onCrash(now, SHORT).restart()).isTrue();
        assertThat(t.onCrash(now + 20_000, SHORT).restart()).isTrue();
        assertThat(t.onCrash(now + 40_000, 10_000).restart()).isTrue(); // healthy: count starts over at 1
        assertThat(t.onCrash(now + 60_000, SHORT).restart()).isTrue();
        assertThat(t.onCrash(now + 80_000, SHORT).restart()).isFalse();
    }

    @Test
    void maxRestartsZeroGivesUpOnTheFirstCrash() {
        RestartTracker t = new RestartTracker(RestartPolicy.BACKOFF.withMaxRestarts(0, Duration.ofSeconds(60)));
        Decision d = t.onCrash(1_000, SHORT);
        assertThat(d.restart()).isFalse();
        assertThat(d.reason()).contains("1 exits").contains("60 s");
    }

    @Test
    void neverGivesUpAtOnce() {
        RestartTracker t = new RestartTracker(RestartPolicy.NEVER);
        Decision d = t.onCrash(1_000, 1_000_000);
        assertThat(d.restart()).isFalse();
        assertThat(d.delay()).isEqualTo(Duration.ZERO);
        assertThat(d.reason()).isEqualTo("restart is off");
        assertThat(t.onCrash(2_000, SHORT).restart()).isFalse();
    }
}
