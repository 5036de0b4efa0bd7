package io.jcluster.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.cluster.LatencyHistogram;
import org.junit.jupiter.api.Test;

class RequestDurationsTest {

    @Test
    void eachDurationLandsInTheFirstBucketWhoseBoundHoldsIt() {
        long[] before = RequestDurations.counts();
        long sumBefore = RequestDurations.sumNanos();
        RequestDurations.record(100_000);        // 0.1 ms → ≤ 0.5 ms
        RequestDurations.record(500_000);        // exactly 0.5 ms → ≤ 0.5 ms (bounds are inclusive)
        RequestDurations.record(3_000_000);      // 3 ms → ≤ 5 ms
        RequestDurations.record(60_000_000_000L); // a minute → +Inf
        long[] after = RequestDurations.counts();
        assertThat(after).hasSize(LatencyHistogram.BOUNDS_SECONDS.length + 1);
        assertThat(after[0] - before[0]).isEqualTo(2);
        assertThat(after[3] - before[3]).isEqualTo(1);
        assertThat(after[after.length - 1] - before[before.length - 1]).isEqualTo(1);
        assertThat(RequestDurations.sumNanos() - sumBefore).isEqualTo(60_003_600_000L);
    }

    @Test
    void theHistogramIsCumulativeOnRequest() {
        long[] counts = new long[LatencyHistogram.BOUNDS_SECONDS.length + 1];
        counts[0] = 2;
        counts[3] = 1;
        counts[counts.length - 1] = 4;
        LatencyHistogram h = new LatencyHistogram(counts, 1.5);
        assertThat(h.count()).isEqualTo(7);
        long[] c = h.cumulative();
        assertThat(c[0]).isEqualTo(2);
        assertThat(c[2]).isEqualTo(2);
        assertThat(c[3]).isEqualTo(3);
        assertThat(c[c.length - 2]).isEqualTo(3);
        assertThat(c[c.length - 1]).isEqualTo(7);
    }

    @Test
    void onlyStopTheWorldCollectorsCountAsPauses() {
        assertThat(StatsReporter.isPause("G1 Young Generation")).isTrue();
        assertThat(StatsReporter.isPause("G1 Old Generation")).isTrue();
        assertThat(StatsReporter.isPause("ZGC Pauses")).isTrue();
        assertThat(StatsReporter.isPause("G1 Concurrent GC")).isFalse();
        assertThat(StatsReporter.isPause("ZGC Cycles")).isFalse();
        assertThat(StatsReporter.isPause("Shenandoah Cycles")).isFalse();
    }
}
