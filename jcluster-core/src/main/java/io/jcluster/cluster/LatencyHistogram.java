package io.jcluster.cluster;

import java.util.Arrays;

/**
 * A worker's request durations since it started, as its HTTP layer ({@code io.jcluster.http}) measured them: from
 * a request's first byte (a connection's first request: from the connection's opening) to its response handed to
 * the connection. Fixed buckets with upper bounds {@link #BOUNDS_SECONDS}; {@code counts} has one more entry than
 * the bounds (the last: above every bound) and is not cumulative; see {@link #cumulative()}.
 */
public record LatencyHistogram(long[] counts, double sumSeconds) {
    /** The buckets' upper bounds in seconds, as Prometheus' default buckets with finer steps below 5 ms. */
    public static final double[] BOUNDS_SECONDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    public LatencyHistogram {
        if (counts.length != BOUNDS_SECONDS.length + 1) {
            throw new IllegalArgumentException("a latency histogram has " + (BOUNDS_SECONDS.length + 1)
                    + " buckets, not " + counts.length);
        }
        counts = counts.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** How many requests were measured. */
    public long count() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /** Cumulative counts: entry i counts the durations up to {@code BOUNDS_SECONDS[i]}; the last is {@link #count()}. */
    public long[] cumulative() {
        long[] c = new long[counts.length];
        long n = 0;
        for (int i = 0; i < counts.length; i++) {
            n += counts[i];
            c[i] = n;
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatencyHistogram h && Arrays.equals(counts, h.counts) && sumSeconds == h.sumSeconds;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts) * 31 + Double.hashCode(sumSeconds);
    }

    @Override
    public String toString() {
        return "LatencyHistogram[count=" + count() + ", sumSeconds=" + sumSeconds + "]";
    }
}
