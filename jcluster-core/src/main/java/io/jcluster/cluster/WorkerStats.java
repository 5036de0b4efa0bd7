package io.jcluster.cluster;

import java.time.Duration;
import java.time.Instant;

/**
 * What the primary knows of a worker from its reports. With each heartbeat (once a second): open connections and
 * requests served (requests are counted by the HTTP layer), when its event loop last answered and how long the
 * answer took ({@code heartbeatLatency}: the ping's round trip, the event loop's lag plus the link's). With each
 * stats report (once a second, {@link #reportedAt}): heap in use, the total of its GC pauses, the connections its
 * servers accepted, its HTTP layer's request durations and its application's own metrics.
 *
 * <p>Unknown values: {@code lastHeartbeat}, {@code heartbeatLatency}, {@code gcPause}, {@code requestDurations},
 * {@code reportedAt} null; {@code heapUsedBytes} -1. {@code requestDurations} is null until a jcluster HTTP server
 * in the worker answered a request (an unmodified application has none); {@code appMetrics} is
 * {@link AppMetrics#NONE} when the application exposes none.
 */
public record WorkerStats(long connections, long requests, Instant lastHeartbeat, Duration heartbeatLatency,
                          long heapUsedBytes, Duration gcPause, long acceptedConnections,
                          LatencyHistogram requestDurations, AppMetrics appMetrics, Instant reportedAt) {
    public static final WorkerStats NONE = new WorkerStats(0, 0, null);

    public WorkerStats {
        if (appMetrics == null) {
            appMetrics = AppMetrics.NONE;
        }
    }

    /** Heartbeat figures only, the rest unknown. */
    public WorkerStats(long connections, long requests, Instant lastHeartbeat) {
        this(connections, requests, lastHeartbeat, null, -1, null, 0, null, AppMetrics.NONE, null);
    }

    /** These stats with a heartbeat's figures. */
    public WorkerStats withHeartbeat(long connections, long requests, Instant at, Duration latency) {
        return new WorkerStats(connections, requests, at, latency, heapUsedBytes, gcPause, acceptedConnections,
                requestDurations, appMetrics, reportedAt);
    }

    /** These stats with a stats report's figures. */
    public WorkerStats withReport(long heapUsedBytes, Duration gcPause, long acceptedConnections,
                                  LatencyHistogram requestDurations, AppMetrics appMetrics, Instant at) {
        return new WorkerStats(connections, requests, lastHeartbeat, heartbeatLatency, heapUsedBytes, gcPause,
                acceptedConnections, requestDurations, appMetrics, at);
    }
}
