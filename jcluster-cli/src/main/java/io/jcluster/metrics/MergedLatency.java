package io.jcluster.metrics;

import io.jcluster.cluster.LatencyHistogram;
import io.jcluster.supervise.WorkerView;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jcluster_http_request_duration_seconds}: the workers' request-duration histograms added up. A worker that
 * has gone keeps its last counts in the sum, so the merged histogram only grows, as a counter must (a replaced
 * worker is not a reset). Thread-safe.
 */
final class MergedLatency {
    static final String NAME = "jcluster_http_request_duration_seconds";

    private final Map<Integer, LatencyHistogram> last = new HashMap<>();
    private final long[] gone = new long[LatencyHistogram.BOUNDS_SECONDS.length + 1];
    private double goneSum;
    private boolean seen;

    /** The merged histogram, or null while no worker has reported one. */
    synchronized HistogramSnapshot collect(List<WorkerView> workers) {
        Set<Integer> live = new HashSet<>();
        for (WorkerView w : workers) {
            live.add(w.id());
            LatencyHistogram h = w.stats().requestDurations();
            if (h != null) {
                last.put(w.id(), h);
                seen = true;
            }
        }
        last.entrySet().removeIf(e -> {
            if (live.contains(e.getKey())) {
                return false;
            }
            long[] c = e.getValue().counts();
            for (int i = 0; i < c.length; i++) {
                gone[i] += c[i];
            }
            goneSum += e.getValue().sumSeconds();
            return true;
        });
        if (!seen) {
            return null;
        }
        long[] counts = gone.clone();
        double sum = goneSum;
        for (LatencyHistogram h : last.values()) {
            long[] c = h.counts();
            for (int i = 0; i < c.length; i++) {
                counts[i] += c[i];
            }
            sum += h.sumSeconds();
        }
        double[] bounds = new double[counts.length];
        System.arraycopy(LatencyHistogram.BOUNDS_SECONDS, 0, bounds, 0, LatencyHistogram.BOUNDS_SECONDS.length);
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        return HistogramSnapshot.builder().name(NAME)
                .help("Request durations in the workers' HTTP layer (jcluster's API), from a request's first byte to "
                        + "its response handed to the connection, over every worker")
                .dataPoint(new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds, counts), sum,
                        Labels.EMPTY, null, 0))
                .build();
    }
}
