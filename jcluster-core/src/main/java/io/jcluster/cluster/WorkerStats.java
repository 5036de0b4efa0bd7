package io.jcluster.cluster;

import java.time.Instant;

/**
 * What a worker reported with its last heartbeat: open connections and requests served (requests are counted
 * by the HTTP layer), and when its event loop last answered. {@code lastHeartbeat} is null before the first.
 */
public record WorkerStats(long connections, long requests, Instant lastHeartbeat) {
    public static final WorkerStats NONE = new WorkerStats(0, 0, null);
}
