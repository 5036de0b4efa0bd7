package io.jcluster.supervise;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.cluster.WorkerStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** What {@code jcluster status} shows: the cluster, then each worker (its state is the core's). */
final class StatusReport {
    private final String name;
    private final String app;
    private final Path logDir;
    private final Instant started = Instant.now();

    private final FleetSpec spec;
    /** The balance, fixed once the cluster started: read on the first status. */
    private volatile String balance;

    StatusReport(String name, String app, Path logDir, FleetSpec spec) {
        this.name = name;
        this.app = app;
        this.logDir = logDir;
        this.spec = spec;
    }

    /** {@code state}: "running", "stopping", or the operation in progress ("reloading", …). */
    ObjectNode of(Fleet fleet, String state) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("name", name);
        s.put("pid", ProcessHandle.current().pid());
        s.put("app", app);
        s.put("started", started.toString());
        s.put("uptimeSeconds", Duration.between(started, Instant.now()).toSeconds());
        s.put("state", state);
        s.put("generation", fleet.generation());
        s.put("target", fleet.target());
        s.put("logDir", logDir.toString());
        s.put("cpus", Runtime.getRuntime().availableProcessors());
        s.put("memoryBudgetBytes", spec.memoryBudget());
        s.put("memoryPerWorkerBytes", spec.memoryPerWorker()); // 0: not split (the user sized the workers)
        s.put("balance", balance());
        ArrayNode addrs = s.putArray("addresses");
        fleet.addresses().forEach(addrs::add);
        ArrayNode ws = s.putArray("workers");
        for (Member m : fleet.all()) {
            ObjectNode w = ws.addObject();
            WorkerView v = WorkerView.of(m);
            WorkerStats st = v.stats();
            w.put("id", v.id());
            w.put("pid", v.pid());
            w.put("state", v.state());
            w.put("spare", m.spare()); // a hot spare: listening, out of rotation
            w.put("generation", v.generation());
            w.put("slot", v.slot());
            w.put("instance", v.instance());
            w.put("uptimeSeconds", v.uptimeSeconds());
            w.put("restarts", v.restarts());
            w.put("rssBytes", v.rssBytes());
            if (v.cpuPercent() >= 0) {
                w.put("cpuPercent", Math.round(v.cpuPercent() * 10) / 10.0);
            } else {
                w.putNull("cpuPercent");
            }
            w.put("connections", st.connections());
            // Two reports say how many requests a worker served: the heartbeat's count and the stats report's
            // request-duration histogram (which also carries the accepted connections). Either can be the later one;
            // the larger is the fresher, and a status just after traffic never shows accepted connections with no
            // request (the mark of an unmodified application, StatusCommand.acceptedOnly) for a jcluster server.
            long durations = st.requestDurations() == null ? 0 : st.requestDurations().count();
            w.put("requests", Math.max(st.requests(), durations));
            workerMetrics(w, v);
            if (m.requestLimit > 0) {
                w.put("requestLimit", m.requestLimit);
            }
            String leaving = m.leaving;
            if (leaving != null) {
                w.put("leaving", leaving);
            }
        }
        return s;
    }

    /** The balance in force: rr, least-connections or sticky; none when the kernel balances (NONE policy). */
    private String balance() {
        String b = balance;
        if (b == null) {
            b = Cluster.schedulingPolicy() == SchedulingPolicy.NONE ? "none" : Cluster.settings().balance().label();
            balance = b;
        }
        return b;
    }

    /** The fields the metrics have too (null: not known yet, or not measured for this application). */
    private static void workerMetrics(ObjectNode w, WorkerView v) {
        WorkerStats st = v.stats();
        boolean reported = st.reportedAt() != null;
        putOrNull(w, "heapUsedBytes", st.heapUsedBytes() >= 0 ? (Long) st.heapUsedBytes() : null);
        putOrNull(w, "gcPauseSeconds", st.gcPause() == null ? null : seconds(st.gcPause()));
        putOrNull(w, "cpuSeconds", v.cpuSeconds() >= 0 ? (Double) (Math.round(v.cpuSeconds() * 100) / 100.0) : null);
        putOrNull(w, "acceptedConnections", reported ? (Long) st.acceptedConnections() : null);
        putOrNull(w, "heartbeatLagSeconds", st.heartbeatLatency() == null ? null : seconds(st.heartbeatLatency()));
        putOrNull(w, "latencyP50Seconds", v.latencyP50Seconds());
        putOrNull(w, "latencyP99Seconds", v.latencyP99Seconds());
    }

    private static Double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static void putOrNull(ObjectNode w, String field, Number n) {
        if (n == null) {
            w.putNull(field);
        } else if (n instanceof Long l) {
            w.put(field, l);
        } else {
            w.put(field, n.doubleValue());
        }
    }
}
