package io.jcluster.supervise;

import java.time.Duration;

/**
 * What the operator asked of the fleet: how many workers, how long a new one has to listen and a leaving one to
 * drain, and the recycling policies. The launch side builds it from the command line and the config file.
 *
 * @param instances          workers at start
 * @param readyTimeout       how long a new worker has to listen
 * @param drainTimeout       how long a leaving worker may drain
 * @param hangTimeout        how long an event loop may miss heartbeats before its worker is recycled; zero: only logged
 * @param maxMemory          RSS limit in bytes; 0: none
 * @param maxRequests        requests before a worker is recycled; 0: none
 * @param maxRequestsJitter  up to this many more, drawn per worker
 * @param autorestart        whether the core's restart policy replaces a worker that died by itself (for the log line)
 * @param memoryPerWorker    each worker's share of the memory budget ({@code -XX:MaxRAM}); 0: not split (the user
 *                           sized the workers, or the budget is unknown)
 * @param memoryBudget       the cgroup's memory limit, else the machine's memory; -1: unknown
 * @param expectedPort       the port the application's arguments or environment name (e.g. {@code --server.port=8080}),
 *                           for the message about a worker that never listens; null when none is named
 * @param spares             hot spares kept out of rotation ({@code --spares})
 * @param minInstances       the fewest workers in rotation ({@code --instances MIN..MAX}; else {@code instances})
 * @param maxInstances       the most workers in rotation; more than {@code minInstances}: adaptive size
 */
public record FleetSpec(int instances, Duration readyTimeout, Duration drainTimeout, Duration hangTimeout,
                        long maxMemory, long maxRequests, long maxRequestsJitter, boolean autorestart,
                        long memoryPerWorker, long memoryBudget, String expectedPort, int spares, int minInstances,
                        int maxInstances) {
    /** True when the primary sizes the cluster by load ({@code --instances MIN..MAX}). */
    public boolean adaptive() {
        return maxInstances > minInstances;
    }
}
