package io.jcluster.supervise;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Gunicorn's max-requests: a worker is recycled after serving its limit, {@code max + random(0..jitter)}, drawn when
 * it is forked ({@link Member#requestLimit}), so the workers of a cluster, started together, do not all recycle at once.
 */
final class MaxRequests implements RecyclePolicy {
    private final long max;
    private final long jitter;

    MaxRequests(long max, long jitter) {
        this.max = max;
        this.jitter = jitter;
    }

    /** A new worker's limit; 0 (no limit) when there is none. */
    long newLimit() {
        return limit(max, jitter);
    }

    @Override
    public String recycleBecause(Member m) {
        long served = m.worker.stats().requests();
        if (m.requestLimit > 0 && served >= m.requestLimit) {
            return "it served " + served + " requests (its limit: " + m.requestLimit + ")";
        }
        return null;
    }

    /** A new worker's limit; 0 (no limit) when {@code max} is 0. */
    static long limit(long max, long jitter) {
        if (max <= 0) {
            return 0;
        }
        return max + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0);
    }
}
