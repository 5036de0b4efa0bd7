package io.jcluster.metrics;

import io.jcluster.supervise.WorkerView;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers' application metrics ({@link io.jcluster.cluster.AppMetrics}), merged: each metric once, with every
 * worker's data points under the labels {@code worker} and {@code pid} (prom-client's {@code AggregatorRegistry}
 * for the JVM). An application label of either name becomes {@code exported_worker} / {@code exported_pid}, as
 * Prometheus renames a scraped target's clashing labels. Left out, each said once in the primary's log: a metric
 * whose name the primary exposes itself ({@code taken}: {@code jcluster_*}, its JVM and process metrics), one whose
 * type differs between workers (the first worker's type is kept, as during a reload to a version that changed it),
 * and a report that cannot be read.
 */
final class WorkerAppMetrics implements MultiCollector {
    private static final Logger log = LoggerFactory.getLogger(WorkerAppMetrics.class);

    private final Supplier<List<WorkerView>> workers;
    private final Set<String> taken;
    private final Set<String> said = new HashSet<>();

    WorkerAppMetrics(Supplier<List<WorkerView>> workers, Set<String> taken) {
        this.workers = workers;
        this.taken = Set.copyOf(taken);
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, Family> families = new LinkedHashMap<>();
        for (WorkerView w : workers.get()) {
            if (w.stats().appMetrics().isEmpty()) {
                continue;
            }
            MetricSnapshots reported;
            try {
                reported = w.stats().appMetrics().snapshots();
            } catch (RuntimeException e) {
                once("unreadable:" + w.id(), "the app metrics of worker " + w.id() + " cannot be read: " + e.getMessage());
                continue;
            }
            Labels own = ClusterMetrics.labels(w);
            for (MetricSnapshot m : reported) {
                String name = m.getMetadata().getPrometheusName();
                if (taken.contains(name) || name.startsWith("jcluster_")) {
                    once("taken:" + name, "app metric " + name + " has the name of one of the primary's own metrics: "
                            + "not shown");
                    continue;
                }
                Family f = families.computeIfAbsent(name, k -> new Family(m));
                if (f.first.getClass() != m.getClass()) {
                    once("type:" + name, "app metric " + name + " has different types in different workers: worker "
                            + w.id() + "'s not shown");
                    continue;
                }
                for (DataPointSnapshot p : m.getDataPoints()) {
                    f.points.add(relabel(p, own));
                }
            }
        }
        List<MetricSnapshot> out = new ArrayList<>(families.size());
        for (Family f : families.values()) {
            try {
                out.add(f.build());
            } catch (RuntimeException e) {
                once("build:" + f.first.getMetadata().getName(), "app metric " + f.first.getMetadata().getName()
                        + " cannot be shown: " + e.getMessage());
            }
        }
        return new MetricSnapshots(out);
    }

    /** The point's labels with the worker's added, the application's own {@code worker} and {@code pid} renamed. */
    static Labels withWorker(Labels app, Labels own) {
        if (!app.contains("worker") && !app.contains("pid")) {
            return app.merge(own);
        }
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (Label l : app) {
            boolean clash = l.getName().equals("worker") || l.getName().equals("pid");
            names.add(clash ? "exported_" + l.getName() : l.getName());
            values.add(l.getValue());
        }
        return Labels.of(names, values).merge(own);
    }

    private static DataPointSnapshot relabel(DataPointSnapshot p, Labels own) {
        Labels l = withWorker(p.getLabels(), own);
        if (p instanceof CounterDataPointSnapshot c) {
            return new CounterDataPointSnapshot(c.getValue(), l, null, 0);
        } else if (p instanceof GaugeDataPointSnapshot g) {
            return new GaugeDataPointSnapshot(g.getValue(), l, null);
        } else if (p instanceof UnknownDataPointSnapshot u) {
            return new UnknownDataPointSnapshot(u.getValue(), l, null);
        } else if (p instanceof HistogramDataPointSnapshot h) {
            return new HistogramDataPointSnapshot(h.getClassicBuckets(), h.hasSum() ? h.getSum() : Double.NaN, l, null, 0);
        } else if (p instanceof SummaryDataPointSnapshot s) {
            return new SummaryDataPointSnapshot(s.hasCount() ? s.getCount() : -1, s.hasSum() ? s.getSum() : Double.NaN,
                    s.getQuantiles(), l, null, 0);
        } else if (p instanceof InfoDataPointSnapshot) {
            return new InfoDataPointSnapshot(l);
        }
        throw new IllegalArgumentException("a data point of an unknown kind: " + p.getClass().getName());
    }

    private void once(String key, String message) {
        synchronized (said) {
            if (said.add(key)) {
                log.warn("app metrics: {}", message);
            }
        }
    }

    /** One metric over the workers: the first worker's metadata and kind, every worker's points. */
    private static final class Family {
        final MetricSnapshot first;
        final List<DataPointSnapshot> points = new ArrayList<>();

        Family(MetricSnapshot first) {
            this.first = first;
        }

        @SuppressWarnings("unchecked")
        MetricSnapshot build() {
            MetricMetadata md = first.getMetadata();
            List<?> p = points;
            if (first instanceof CounterSnapshot) {
                return new CounterSnapshot(md, (List<CounterDataPointSnapshot>) p);
            } else if (first instanceof GaugeSnapshot) {
                return new GaugeSnapshot(md, (List<GaugeDataPointSnapshot>) p);
            } else if (first instanceof HistogramSnapshot h) {
                return new HistogramSnapshot(h.isGaugeHistogram(), md, (List<HistogramDataPointSnapshot>) p);
            } else if (first instanceof SummarySnapshot) {
                return new SummarySnapshot(md, (List<SummaryDataPointSnapshot>) p);
            } else if (first instanceof InfoSnapshot) {
                return new InfoSnapshot(md, (List<InfoDataPointSnapshot>) p);
            }
            return new UnknownSnapshot(md, (List<UnknownDataPointSnapshot>) p);
        }
    }
}
