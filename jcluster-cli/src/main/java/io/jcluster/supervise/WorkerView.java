package io.jcluster.supervise;

import io.jcluster.cluster.WorkerState;
import io.jcluster.cluster.WorkerStats;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One worker as the coordinator sees it now, for {@code status} and the metrics: identity, the core's state
 * ({@code state}, lower case), the coordinator's notes and samples, and the core's {@link WorkerStats}.
 * Unknown: {@code rssBytes} -1, {@code cpuSeconds} -1, {@code cpuPercent} -1, the latencies null.
 *
 * @param restarts how many times the core restarted this worker's slot before it (0 for a fresh fork)
 * @param serving true while it listens, in rotation (no hot spare), and the coordinator has not taken it out of service
 * @param latencyP50Seconds the median request duration over about the last 10 s (null: no request then)
 */
public record WorkerView(int id, long pid, String state, int generation, int slot, int instance, long uptimeSeconds,
                         int restarts, boolean serving, long rssBytes, double cpuSeconds, double cpuPercent,
                         Double latencyP50Seconds, Double latencyP99Seconds, WorkerStats stats) {

    static WorkerView of(Member m) {
        WorkerState state = m.worker.state();
        ProcStats.Sample s = m.sample;
        long rss = s == null ? ProcStats.rss(m.pid) : s.rss();
        double cpuSeconds = s == null || s.cpuTicks() < 0 ? -1 : s.cpuTicks() / (double) ProcStats.CLK_TCK;
        return new WorkerView(m.id, m.pid, state.name().toLowerCase(Locale.ROOT), m.generation(), m.slot(),
                m.instance(), Duration.between(m.forkedAt, Instant.now()).toSeconds(), m.restarts,
                state == WorkerState.LISTENING && m.inService() && !m.spare(), rss, cpuSeconds, m.cpu,
                m.latency.quantile(0.5), m.latency.quantile(0.99), m.worker.stats());
    }
}
