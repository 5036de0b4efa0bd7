package io.jcluster.metrics;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.HandoffStats;
import io.jcluster.cluster.WorkerState;
import io.jcluster.supervise.Supervisor;
import io.jcluster.supervise.WorkerView;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The cluster's metrics on a Prometheus registry (the admin endpoint's {@code /metrics} renders it): the workers and
 * their reports, the primary's hand-off and reloads ({@code jcluster_*}, names and labels in jcluster-cli/README.md,
 * "Metrics"), and each worker's application metrics with the labels {@code worker} and {@code pid}
 * ({@link WorkerAppMetrics}). Everything is read at scrape time from snapshots the supervisor and the core keep (the
 * workers report once a second); a scrape never waits for a worker.
 */
public final class ClusterMetrics implements MultiCollector {
    /** What the metrics read: the supervisor's, or a test's. */
    interface Source {
        List<WorkerView> workers();

        HandoffStats handoffs();

        Map<String, Long> reloadResults();
    }

    static final List<String> NAMES = List.of("jcluster_workers", "jcluster_worker_up", "jcluster_worker_restarts_total",
            "jcluster_worker_requests_total", "jcluster_worker_connections", "jcluster_worker_accepted_connections_total",
            "jcluster_worker_resident_memory_bytes", "jcluster_worker_cpu_seconds_total", "jcluster_worker_heap_used_bytes",
            "jcluster_worker_gc_pause_seconds_total", "jcluster_worker_heartbeat_latency_seconds",
            "jcluster_handoff_pending", "jcluster_handoff_connections_total", "jcluster_reloads_total",
            "jcluster_http_request_duration_seconds");

    private final Source source;
    private final MergedLatency latency = new MergedLatency();

    ClusterMetrics(Source source) {
        this.source = source;
    }

    /**
     * Registers the cluster's collectors on {@code registry}. Call it after the primary's own metrics (JVM, process)
     * are registered: an application metric with the name of one of them is left out rather than break the scrape.
     */
    public static void register(PrometheusRegistry registry, Supervisor supervisor) {
        register(registry, new Source() {
            @Override
            public List<WorkerView> workers() {
                return supervisor.workers();
            }

            @Override
            public HandoffStats handoffs() {
                return Cluster.handoffs();
            }

            @Override
            public Map<String, Long> reloadResults() {
                return supervisor.reloadResults();
            }
        });
    }

    static void register(PrometheusRegistry registry, Source source) {
        Set<String> taken = new HashSet<>(NAMES);
        for (MetricSnapshot m : registry.scrape()) {
            taken.add(m.getMetadata().getPrometheusName());
        }
        ClusterMetrics cluster = new ClusterMetrics(source);
        registry.register(cluster);
        registry.register(new WorkerAppMetrics(source::workers, taken));
    }

    @Override
    public List<String> getPrometheusNames() {
        return NAMES;
    }

    @Override
    public MetricSnapshots collect() {
        List<WorkerView> ws = source.workers();
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(byState(ws));
        out.add(gauge("jcluster_worker_up", "1 while the worker listens and is in service, else 0", ws,
                w -> w.serving() ? 1.0 : 0.0));
        CounterSnapshot.Builder restarts = CounterSnapshot.builder().name("jcluster_worker_restarts")
                .help("How many times the worker's slot was restarted after a crash before this worker");
        for (WorkerView w : ws) {
            restarts.dataPoint(new CounterDataPointSnapshot(w.restarts(),
                    labels(w).add("slot", Integer.toString(w.slot())), null, 0));
        }
        out.add(restarts.build());
        out.add(counter("jcluster_worker_requests", "Requests the worker's HTTP layer served", ws,
                w -> (double) w.stats().requests()));
        out.add(gauge("jcluster_worker_connections", "Connections open in the worker now", ws,
                w -> (double) w.stats().connections()));
        out.add(counter("jcluster_worker_accepted_connections", "Connections the worker's servers accepted", ws,
                w -> w.stats().reportedAt() == null ? null : (double) w.stats().acceptedConnections()));
        out.add(gauge("jcluster_worker_resident_memory_bytes", "The worker process's resident memory (/proc)", ws,
                w -> w.rssBytes() < 0 ? null : (double) w.rssBytes()));
        out.add(counter("jcluster_worker_cpu_seconds", "CPU time of the worker process, user and system (/proc)", ws,
                w -> w.cpuSeconds() < 0 ? null : w.cpuSeconds()));
        out.add(gauge("jcluster_worker_heap_used_bytes", "Heap in use in the worker JVM", ws,
                w -> w.stats().heapUsedBytes() < 0 ? null : (double) w.stats().heapUsedBytes()));
        out.add(counter("jcluster_worker_gc_pause_seconds", "Time the worker JVM spent in GC pauses", ws,
                w -> w.stats().gcPause() == null ? null : w.stats().gcPause().toNanos() / 1e9));
        out.add(gauge("jcluster_worker_heartbeat_latency_seconds",
                "Round trip of the primary's last heartbeat to the worker's event loop (its lag)", ws,
                w -> w.stats().heartbeatLatency() == null ? null : w.stats().heartbeatLatency().toNanos() / 1e9));
        HandoffStats h = source.handoffs();
        out.add(GaugeSnapshot.builder().name("jcluster_handoff_pending")
                .help("Connections the primary accepted that wait for a worker with room")
                .dataPoint(new GaugeDataPointSnapshot(h.pending(), Labels.EMPTY, null)).build());
        out.add(CounterSnapshot.builder().name("jcluster_handoff_connections")
                .help("Connections the primary handed to workers (round-robin policy)")
                .dataPoint(new CounterDataPointSnapshot(h.total(), Labels.EMPTY, null, 0)).build());
        CounterSnapshot.Builder reloads = CounterSnapshot.builder().name("jcluster_reloads")
                .help("Reloads by result: success, or failure (stopped or refused)");
        source.reloadResults().forEach((result, n) ->
                reloads.dataPoint(new CounterDataPointSnapshot(n, Labels.of("result", result), null, 0)));
        out.add(reloads.build());
        MetricSnapshot durations = latency.collect(ws);
        if (durations != null) {
            out.add(durations);
        }
        return new MetricSnapshots(out);
    }

    static Labels labels(WorkerView w) {
        return Labels.of("worker", Integer.toString(w.id()), "pid", Long.toString(w.pid()));
    }

    private static GaugeSnapshot byState(List<WorkerView> ws) {
        Map<String, Integer> n = new LinkedHashMap<>();
        for (WorkerState s : WorkerState.values()) {
            n.put(s.name().toLowerCase(Locale.ROOT), 0);
        }
        for (WorkerView w : ws) {
            n.merge(w.state(), 1, Integer::sum);
        }
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("jcluster_workers").help("Workers by state");
        n.forEach((state, count) -> b.dataPoint(new GaugeDataPointSnapshot(count, Labels.of("state", state), null)));
        return b.build();
    }

    /** A gauge per worker; a null value leaves the worker out (not known yet). */
    private static GaugeSnapshot gauge(String name, String help, List<WorkerView> ws, Function<WorkerView, Double> value) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (WorkerView w : ws) {
            Double v = value.apply(w);
            if (v != null) {
                b.dataPoint(new GaugeDataPointSnapshot(v, labels(w), null));
            }
        }
        return b.build();
    }

    private static CounterSnapshot counter(String name, String help, List<WorkerView> ws,
                                           Function<WorkerView, Double> value) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (WorkerView w : ws) {
            Double v = value.apply(w);
            if (v != null) {
                b.dataPoint(new CounterDataPointSnapshot(v, labels(w), null, 0));
            }
        }
        return b.build();
    }
}
