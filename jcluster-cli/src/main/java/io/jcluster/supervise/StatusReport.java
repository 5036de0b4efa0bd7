package io.jcluster.supervise;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.cluster.WorkerStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** What {@code jcluster status} shows: the cluster, then each worker (its state is the core's). */
final class StatusReport {
    private final String name;
    private final String app;
    private final Path logDir;
    private final Instant started = Instant.now();

    private final FleetSpec spec;

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
        ArrayNode addrs = s.putArray("addresses");
        fleet.addresses().forEach(addrs::add);
        ArrayNode ws = s.putArray("workers");
        for (Member m : fleet.all()) {
            ObjectNode w = ws.addObject();
            WorkerStats st = m.worker.stats();
            ProcStats.Sample sample = m.sample;
            w.put("id", m.id);
            w.put("pid", m.pid);
            w.put("state", m.worker.state().name().toLowerCase(Locale.ROOT));
            w.put("generation", m.generation());
            w.put("slot", m.slot());
            w.put("instance", m.instance());
            w.put("uptimeSeconds", Duration.between(m.forkedAt, Instant.now()).toSeconds());
            w.put("restarts", m.restarts);
            w.put("rssBytes", sample == null ? ProcStats.rss(m.pid) : sample.rss());
            double cpu = m.cpu;
            if (cpu >= 0) {
                w.put("cpuPercent", Math.round(cpu * 10) / 10.0);
            } else {
                w.putNull("cpuPercent");
            }
            w.put("connections", st.connections());
            w.put("requests", st.requests());
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
}
