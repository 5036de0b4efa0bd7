package io.jcluster.supervise;

import io.jcluster.cluster.LatencyHistogram;
import java.util.ArrayDeque;

/**
 * A worker's request latency over about the last {@value #SECONDS} seconds: its cumulative request-duration
 * histogram is sampled once a second (the policy tick), and the quantiles are read from the difference between the
 * newest sample and the oldest kept, interpolated within a bucket as Prometheus' {@code histogram_quantile} does.
 * Thread-safe (sampled on the policy thread, read by status).
 */
final class LatencyWindow {
    static final int SECONDS = 10;

    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    /** The worker's histogram now (null: it has none yet). */
    synchronized void sample(LatencyHistogram h) {
        if (h == null) {
            return;
        }
        samples.addLast(h.cumulative());
        while (samples.size() > SECONDS + 1) {
            samples.removeFirst();
        }
    }

    /** The {@code q} quantile (0..1) of the window, in seconds; null when it saw no request. */
    synchronized Double quantile(double q) {
        if (samples.isEmpty()) {
            return null;
        }
        long[] newest = samples.peekLast();
        long[] oldest = samples.size() > 1 ? samples.peekFirst() : new long[newest.length];
        long[] window = new long[newest.length];
        for (int i = 0; i < window.length; i++) {
            window[i] = newest[i] - oldest[i];
        }
        return quantile(window, q);
    }

    /** The {@code q} quantile of cumulative bucket counts (bounds {@link LatencyHistogram#BOUNDS_SECONDS}, then +Inf). */
    static Double quantile(long[] cumulative, double q) {
        double[] bounds = LatencyHistogram.BOUNDS_SECONDS;
        long total = cumulative[cumulative.length - 1];
        if (total <= 0) {
            return null;
        }
        double rank = q * total;
        for (int i = 0; i < cumulative.length; i++) {
            if (cumulative[i] >= rank) {
                if (i == bounds.length) {
                    return bounds[bounds.length - 1]; // above the last bound: the last bound, as histogram_quantile
                }
                long below = i == 0 ? 0 : cumulative[i - 1];
                double lower = i == 0 ? 0 : bounds[i - 1];
                long inBucket = cumulative[i] - below;
                double share = inBucket == 0 ? 1 : (rank - below) / inBucket;
                return lower + (bounds[i] - lower) * share;
            }
        }
        return bounds[bounds.length - 1];
    }
}
