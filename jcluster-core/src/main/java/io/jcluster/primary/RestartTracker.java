package io.jcluster.primary;

import io.jcluster.cluster.RestartPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/** The restart history of one worker slot, and the decision after each of its exits. Pure logic. */
final class RestartTracker {
    private final RestartPolicy policy;
    private final Deque<Long> restarts = new ArrayDeque<>();
    private int consecutive;

    RestartTracker(RestartPolicy policy) {
        this.policy = policy;
    }

    /** What to do after a worker of this slot exited by itself. */
    Decision onCrash(long nowMillis, long uptimeMillis) {
        if (!policy.enabled()) {
            return Decision.giveUp("restart is off");
        }
        if (uptimeMillis >= policy.resetAfter().toMillis()) {
            consecutive = 0;
        }
        consecutive++;
        long windowStart = nowMillis - policy.window().toMillis();
        while (!restarts.isEmpty() && restarts.peekFirst() < windowStart) {
            restarts.pollFirst();
        }
        if (restarts.size() >= policy.maxRestarts()) {
            return Decision.giveUp("crash loop: " + (restarts.size() + 1) + " exits within "
                    + policy.window().toSeconds() + " s (restart limit " + policy.maxRestarts() + ")");
        }
        if (consecutive > policy.maxRestarts()) {
            // Each crash came sooner than resetAfter after its start, but the back-off spaced them out beyond the
            // window: still a crash loop (PM2's max_restarts of unstable restarts), or it would go on for ever.
            return Decision.giveUp("crash loop: " + consecutive + " exits in a row, each less than "
                    + policy.resetAfter().toSeconds() + " s after its start (restart limit " + policy.maxRestarts() + ")");
        }
        restarts.addLast(nowMillis);
        return new Decision(true, policy.delay(consecutive), null);
    }

    int consecutiveCrashes() {
        return consecutive;
    }

    record Decision(boolean restart, Duration delay, String reason) {
        static Decision giveUp(String reason) {
            return new Decision(false, Duration.ZERO, reason);
        }
    }
}
