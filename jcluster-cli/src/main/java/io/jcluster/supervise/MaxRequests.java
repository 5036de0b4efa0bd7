package io.jcluster.supervise;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Gunicorn's max-requests: a worker is recycled after serving its limit, {@code max + random(0..jitter)}, so
 * the workers of a cluster, started together, do not all recycle at once.
 */
final class MaxRequests {
    private MaxRequests() {
    }

    /** A new worker's limit; 0 (no limit) when {@code max} is 0. */
    static long limit(long max, long jitter) {
        if (max <= 0) {
            return 0;
        }
        return max + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0);
    }
}
