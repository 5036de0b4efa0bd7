package io.jcluster.cluster;

import java.time.Duration;

/**
 * When the primary replaces a worker that exited by itself (not after {@code disconnect()} or {@code kill()}).
 *
 * <p>A worker that crashes after running at least {@code resetAfter} is replaced at once. One that crashes
 * sooner counts as a consecutive crash and waits {@code initialDelay × factor^(n-2)} for the n-th consecutive
 * crash, at most {@code maxDelay}. More than {@code maxRestarts} restarts of one slot within {@code window}
 * is a crash loop, and so are more than {@code maxRestarts} consecutive crashes (each sooner than
 * {@code resetAfter} after its start), however far apart the back-off spaced them: that slot is not restarted
 * again, and the reason is logged.
 *
 * <p>Off in the library by default, as in Node; on in the command line and the demo.
 */
public record RestartPolicy(boolean enabled, Duration initialDelay, double factor, Duration maxDelay,
                            Duration resetAfter, int maxRestarts, Duration window) {

    /** Never restart (Node's behaviour). */
    public static final RestartPolicy NEVER = new RestartPolicy(false, Duration.ZERO, 1, Duration.ZERO,
            Duration.ZERO, 0, Duration.ZERO);

    /** Restart with back-off: 100 ms doubling up to 15 s, reset after 10 s up; more than 10 in 60 s stops. */
    public static final RestartPolicy BACKOFF = new RestartPolicy(true, Duration.ofMillis(100), 2,
            Duration.ofSeconds(15), Duration.ofSeconds(10), 10, Duration.ofSeconds(60));

    public RestartPolicy {
        if (factor < 1) {
            throw new IllegalArgumentException("factor must be >= 1");
        }
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must be >= 0");
        }
    }

    /** The delay before restarting after the n-th consecutive crash (n >= 1). */
    public Duration delay(int consecutiveCrashes) {
        if (consecutiveCrashes <= 1) {
            return Duration.ZERO;
        }
        double ms = initialDelay.toMillis() * Math.pow(factor, consecutiveCrashes - 2);
        return ms >= maxDelay.toMillis() ? maxDelay : Duration.ofMillis((long) ms);
    }

    public RestartPolicy withMaxRestarts(int n, Duration within) {
        return new RestartPolicy(enabled, initialDelay, factor, maxDelay, resetAfter, n, within);
    }

    public RestartPolicy withBackoff(Duration initial, double factor, Duration max) {
        return new RestartPolicy(enabled, initial, factor, max, resetAfter, maxRestarts, window);
    }

    public RestartPolicy withResetAfter(Duration d) {
        return new RestartPolicy(enabled, initialDelay, factor, maxDelay, d, maxRestarts, window);
    }
}
