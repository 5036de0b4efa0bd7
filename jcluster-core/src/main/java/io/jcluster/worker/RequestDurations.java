package io.jcluster.worker;

import io.jcluster.cluster.LatencyHistogram;
import java.util.concurrent.atomic.LongAdder;

/**
 * Internal: the worker's request-duration histogram, filled by the HTTP layer when a response is handed to the
 * connection ({@link #record}) and reported to the primary once a second ({@link StatsReporter}). Fixed buckets
 * ({@link LatencyHistogram#BOUNDS_SECONDS}); recording allocates nothing: a few compares and two uncontended adds.
 */
public final class RequestDurations {
    private static final long[] BOUNDS_NANOS = new long[LatencyHistogram.BOUNDS_SECONDS.length];
    /** One per bucket, the last for durations above every bound (+Inf); not cumulative. */
    private static final LongAdder[] COUNTS = new LongAdder[BOUNDS_NANOS.length + 1];
    private static final LongAdder SUM_NANOS = new LongAdder();

    static {
        for (int i = 0; i < BOUNDS_NANOS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(LatencyHistogram.BOUNDS_SECONDS[i] * 1e9);
        }
        for (int i = 0; i < COUNTS.length; i++) {
            COUNTS[i] = new LongAdder();
        }
    }

    private RequestDurations() {
    }

    /** One request answered in {@code nanos} (from its first byte, for a connection's first request from its opening). */
    public static void record(long nanos) {
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        COUNTS[i].increment();
        SUM_NANOS.add(nanos);
    }

    /** The counts per bucket, not cumulative; the last is above every bound. */
    static long[] counts() {
        long[] c = new long[COUNTS.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = COUNTS[i].sum();
        }
        return c;
    }

    static long sumNanos() {
        return SUM_NANOS.sum();
    }
}
