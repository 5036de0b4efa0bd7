package io.jcluster.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.cluster.AppMetrics;
import io.jcluster.cluster.HandoffStats;
import io.jcluster.cluster.LatencyHistogram;
import io.jcluster.cluster.WorkerStats;
import io.jcluster.internal.SnapshotCodec;
import io.jcluster.supervise.WorkerView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClusterMetricsTest {
    private static final int BUCKETS = LatencyHistogram.BOUNDS_SECONDS.length + 1;

    private final List<WorkerView> workers = new ArrayList<>();
    private HandoffStats handoffs = new HandoffStats(3, 1000);
    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final ClusterMetrics.Source source = new ClusterMetrics.Source() {
        @Override
        public List<WorkerView> workers() {
            return List.copyOf(workers);
        }

        @Override
        public HandoffStats handoffs() {
            return handoffs;
        }

        @Override
        public Map<String, Long> reloadResults() {
            return Map.of("success", 2L, "failure", 1L);
        }
    };

    private static WorkerView worker(int id, long pid, long requests, LatencyHistogram h, AppMetrics app) {
        WorkerStats st = new WorkerStats(4, requests, Instant.now(), Duration.ofMillis(2), 50_000_000,
                Duration.ofMillis(1500), 77, h, app, Instant.now());
        return new WorkerView(id, pid, "listening", 1, id, id - 1, 60, 1, true, 80_000_000, 12.5, 3.0, 0.001, 0.01, st);
    }

    private static LatencyHistogram hist(long fast, long slow) {
        long[] c = new long[BUCKETS];
        c[0] = fast;
        c[BUCKETS - 1] = slow;
        return new LatencyHistogram(c, fast * 0.0001 + slow * 20);
    }

    private static MetricSnapshot metric(MetricSnapshots all, String prometheusName) {
        return all.stream().filter(m -> m.getMetadata().getPrometheusName().equals(prometheusName)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + prometheusName + " in " + names(all)));
    }

    private static List<String> names(MetricSnapshots all) {
        return all.stream().map(m -> m.getMetadata().getPrometheusName()).toList();
    }

    private static Map<String, Double> byWorker(MetricSnapshot m) {
        return m.getDataPoints().stream().collect(Collectors.toMap(p -> p.getLabels().get("worker"), ClusterMetricsTest::value));
    }

    private static double value(DataPointSnapshot p) {
        return p instanceof CounterDataPointSnapshot c ? c.getValue() : ((GaugeDataPointSnapshot) p).getValue();
    }

    @Test
    void everyNameOfTheContractIsThereWithWorkerAndPidLabels() {
        ClusterMetrics.register(registry, source);
        workers.add(worker(1, 101, 600, hist(600, 0), AppMetrics.NONE));
        workers.add(worker(2, 102, 400, hist(399, 1), AppMetrics.NONE));
        MetricSnapshots all = registry.scrape();

        assertThat(names(all)).containsAll(List.of("jcluster_workers", "jcluster_worker_up", "jcluster_worker_restarts",
                "jcluster_worker_requests", "jcluster_worker_connections", "jcluster_worker_accepted_connections",
                "jcluster_worker_resident_memory_bytes", "jcluster_worker_cpu_seconds", "jcluster_worker_heap_used_bytes",
                "jcluster_worker_gc_pause_seconds", "jcluster_worker_heartbeat_latency_seconds", "jcluster_handoff_pending",
                "jcluster_handoff_connections", "jcluster_reloads", "jcluster_http_request_duration_seconds"));
        // counters: exposed with _total (the client library adds it), as the contract names them
        assertThat(metric(all, "jcluster_worker_requests")).isInstanceOf(CounterSnapshot.class);
        assertThat(ClusterMetrics.NAMES).contains("jcluster_worker_requests_total", "jcluster_reloads_total");

        MetricSnapshot requests = metric(all, "jcluster_worker_requests");
        assertThat(byWorker(requests)).containsEntry("1", 600.0).containsEntry("2", 400.0);
        assertThat((Object) requests.getDataPoints().get(0).getLabels()).isEqualTo(Labels.of("worker", "1", "pid", "101"));
        assertThat(byWorker(metric(all, "jcluster_worker_gc_pause_seconds"))).containsEntry("1", 1.5);
        assertThat(byWorker(metric(all, "jcluster_worker_heartbeat_latency_seconds"))).containsEntry("2", 0.002);
        assertThat(byWorker(metric(all, "jcluster_worker_cpu_seconds"))).containsEntry("1", 12.5);
        assertThat(byWorker(metric(all, "jcluster_worker_accepted_connections"))).containsEntry("1", 77.0);
        assertThat(metric(all, "jcluster_worker_restarts").getDataPoints().get(0).getLabels().get("slot")).isEqualTo("1");
        GaugeSnapshot states = (GaugeSnapshot) metric(all, "jcluster_workers");
        assertThat(states.getDataPoints()).anySatisfy(p -> {
            assertThat(p.getLabels().get("state")).isEqualTo("listening");
            assertThat(p.getValue()).isEqualTo(2);
        });
        assertThat(states.getDataPoints()).extracting(p -> p.getLabels().get("state")).contains("spawned", "online", "dead");
        assertThat(((GaugeSnapshot) metric(all, "jcluster_handoff_pending")).getDataPoints().get(0).getValue()).isEqualTo(3);
        assertThat(((CounterSnapshot) metric(all, "jcluster_reloads")).getDataPoints())
                .extracting(p -> p.getLabels().get("result") + "=" + p.getValue())
                .containsExactlyInAnyOrder("success=2.0", "failure=1.0");
    }

    @Test
    void theLatencyHistogramIsMergedAndKeepsTheCountsOfWorkersThatLeft() {
        ClusterMetrics.register(registry, source);
        workers.add(worker(1, 101, 600, hist(600, 0), AppMetrics.NONE));
        workers.add(worker(2, 102, 400, hist(399, 1), AppMetrics.NONE));
        HistogramSnapshot.HistogramDataPointSnapshot p = ((HistogramSnapshot) metric(registry.scrape(),
                "jcluster_http_request_duration_seconds")).getDataPoints().get(0);
        assertThat(p.getCount()).isEqualTo(1000);
        assertThat(p.getClassicBuckets().getCount(0)).isEqualTo(999);
        assertThat(p.getSum()).isCloseTo(999 * 0.0001 + 20, org.assertj.core.api.Assertions.within(1e-9));

        workers.remove(1); // worker 2 left; worker 3 came
        workers.add(worker(3, 103, 5, hist(5, 0), AppMetrics.NONE));
        p = ((HistogramSnapshot) metric(registry.scrape(), "jcluster_http_request_duration_seconds")).getDataPoints().get(0);
        assertThat(p.getCount()).as("never goes down").isEqualTo(1005);
    }

    @Test
    void noHistogramBeforeAnyWorkerMeasuredARequest() {
        ClusterMetrics.register(registry, source);
        workers.add(worker(1, 101, 0, null, AppMetrics.NONE));
        assertThat(names(registry.scrape())).doesNotContain("jcluster_http_request_duration_seconds");
    }

    @Test
    void appMetricsAreMergedWithTheWorkerLabelAndClashesAreHandled() throws Exception {
        // the primary's own metric, registered first (as the JVM metrics are)
        registry.register(() -> GaugeSnapshot.builder().name("jvm_threads_current")
                .dataPoint(new GaugeDataPointSnapshot(1, Labels.EMPTY, null)).build());
        ClusterMetrics.register(registry, source);
        workers.add(worker(1, 101, 0, null, app(3, "worker", "x")));
        workers.add(worker(2, 102, 0, null, app(5, null, null)));

        MetricSnapshots all = registry.scrape();
        CounterSnapshot orders = (CounterSnapshot) metric(all, "orders");
        assertThat(orders.getDataPoints()).extracting(d -> d.getLabels().toString() + "=" + d.getValue())
                .containsExactlyInAnyOrder("{exported_worker=\"x\",pid=\"101\",worker=\"1\"}=3.0",
                        "{pid=\"102\",worker=\"2\"}=5.0");
        GaugeSnapshot threads = (GaugeSnapshot) metric(all, "jvm_threads_current");
        assertThat(threads.getDataPoints()).as("the primary's own, not the workers'").hasSize(1);
        assertThat(names(all)).doesNotContain("jcluster_fake");
    }

    /** A worker's report: a counter "orders" (with one label, when given), a clashing jvm_ gauge and jcluster_ one. */
    private static AppMetrics app(double orders, String label, String value) throws Exception {
        List<MetricSnapshot> m = new ArrayList<>();
        Labels l = label == null ? Labels.EMPTY : Labels.of(label, value);
        m.add(CounterSnapshot.builder().name("orders").dataPoint(new CounterDataPointSnapshot(orders, l, null, 0)).build());
        m.add(GaugeSnapshot.builder().name("jvm_threads_current").dataPoint(new GaugeDataPointSnapshot(9, Labels.EMPTY, null)).build());
        m.add(GaugeSnapshot.builder().name("jcluster_fake").dataPoint(new GaugeDataPointSnapshot(9, Labels.EMPTY, null)).build());
        return AppMetrics.ofEncoded(SnapshotCodec.encode(m, AppMetrics.MAX_BYTES, null));
    }
}
