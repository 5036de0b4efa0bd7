package io.jcluster.supervise;

import io.jcluster.logs.LogSink;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code --hang-timeout}: the core reports a worker whose event loop missed heartbeats for the timeout
 * ({@link io.jcluster.cluster.Cluster#onUnresponsive}); such a worker is recycled without draining (it cannot): its
 * thread dump goes to its log, then it is killed. With the timeout off, it is only logged.
 */
final class HangTimeout implements RecyclePolicy {
    private final boolean off;
    private final LogSink log;
    /** Why each reported worker is to be recycled, by id (from the core's thread; read on the policy thread). */
    private final Map<Integer, String> silent = new ConcurrentHashMap<>();

    HangTimeout(Duration timeout, LogSink log) {
        this.off = timeout.isZero();
        this.log = log;
    }

    /** The core's report; true when the worker is to be recycled now. */
    boolean unresponsive(Member m, Duration silentFor) {
        String why = "its event loop did not answer heartbeats for " + silentFor.toSeconds() + " s";
        if (off) {
            log.warn(m.label() + ": " + why + " (hang-timeout is off: left alone)");
            return false;
        }
        silent.put(m.id, why);
        return true;
    }

    @Override
    public String recycleBecause(Member m) {
        return silent.get(m.id);
    }

    @Override
    public Leave leave() {
        return Leave.DUMP_AND_KILL;
    }

    /** Forgets workers that left. */
    void retain(java.util.Set<Integer> live) {
        silent.keySet().retainAll(live);
    }
}
