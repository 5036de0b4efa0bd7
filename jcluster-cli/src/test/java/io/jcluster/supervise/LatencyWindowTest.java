package io.jcluster.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jcluster.cluster.LatencyHistogram;
import org.junit.jupiter.api.Test;

class LatencyWindowTest {
    private static final int N = LatencyHistogram.BOUNDS_SECONDS.length + 1;

    private static LatencyHistogram hist(long... perBucket) {
        long[] c = new long[N];
        System.arraycopy(perBucket, 0, c, 0, perBucket.length);
        return new LatencyHistogram(c, 0);
    }

    @Test
    void quantilesInterpolateWithinTheBucketAsHistogramQuantileDoes() {
        // 100 requests between 1 ms and 2.5 ms (bucket 2): the median is half way, p99 near the top
        long[] cumulative = hist(0, 0, 100).cumulative();
        assertThat(LatencyWindow.quantile(cumulative, 0.5)).isCloseTo(0.00175, within(1e-9));
        assertThat(LatencyWindow.quantile(cumulative, 0.99)).isCloseTo(0.001 + 0.0015 * 0.99, within(1e-9));
        long[] slowTail = hist(99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1).cumulative();
        assertThat(LatencyWindow.quantile(slowTail, 0.5)).isLessThanOrEqualTo(0.0005);
        assertThat(LatencyWindow.quantile(slowTail, 0.999)).isEqualTo(10.0); // above every bound: the last bound
        assertThat(LatencyWindow.quantile(new long[N], 0.5)).isNull();
    }

    @Test
    void theWindowForgetsWhatIsOlderThanTenSamples() {
        LatencyWindow w = new LatencyWindow();
        assertThat(w.quantile(0.5)).isNull();
        w.sample(null);
        assertThat(w.quantile(0.5)).isNull();
        w.sample(hist(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000)); // 1000 slow requests (0.5 s .. 1 s) long ago
        for (int i = 1; i <= LatencyWindow.SECONDS; i++) {
            w.sample(hist(i * 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000)); // then only fast ones
        }
        assertThat(w.quantile(0.99)).isLessThanOrEqualTo(0.0005);
        LatencyWindow idle = new LatencyWindow();
        idle.sample(hist(5));
        idle.sample(hist(5));
        assertThat(idle.quantile(0.5)).as("no request in the window").isNull();
    }
}
