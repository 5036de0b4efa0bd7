package io.jcluster.cluster;

import io.jcluster.internal.SnapshotCodec;
import io.jcluster.worker.AppMetricsSource;

/**
 * An application's own metrics, merged by the primary: what prom-client's {@code AggregatorRegistry} does for
 * Node. In a worker, the Prometheus client's default registry ({@code PrometheusRegistry.defaultRegistry}) and
 * every Micrometer {@code PrometheusMeterRegistry} added to Micrometer's global registry are read automatically
 * once a second; {@link #expose} adds another registry. The worker sends what they hold to the primary over its
 * link (no port per worker), and the primary shows it with each worker's {@link WorkerStats#appMetrics()} — the
 * command line's {@code /metrics} with the labels {@code worker} and {@code pid}.
 *
 * <p>Neither library is a dependency of jcluster's: they are used when the application has them. A report is at
 * most {@link #MAX_BYTES} once encoded; a larger one is not sent (the worker logs why, once) until it fits again.
 * Counters, gauges, classic histograms, summaries, info and unknown-typed metrics are carried; exemplars, native
 * histogram buckets and state sets are not.
 */
public final class AppMetrics {
    /** No application metrics. */
    public static final AppMetrics NONE = new AppMetrics(new byte[0]);
    /** The largest report a worker sends, encoded: 1 MiB. */
    public static final int MAX_BYTES = 1 << 20;

    private final byte[] encoded;
    private volatile Object decoded;

    private AppMetrics(byte[] encoded) {
        this.encoded = encoded;
    }

    /**
     * In a worker: have the primary show the meters of {@code registry} too, a Micrometer
     * {@code io.micrometer.prometheusmetrics.PrometheusMeterRegistry} or a Prometheus client
     * {@code io.prometheus.metrics.model.registry.PrometheusRegistry}. One line in the application:
     * {@code AppMetrics.expose(meterRegistry);}. Registering the same registry twice has no further effect.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static void expose(Object registry) {
        AppMetricsSource.add(registry);
    }

    /** Internal: a report as it came from a worker ({@link SnapshotCodec}'s encoding). */
    public static AppMetrics ofEncoded(byte[] encoded) {
        return encoded.length == 0 ? NONE : new AppMetrics(encoded.clone());
    }

    public boolean isEmpty() {
        return encoded.length == 0;
    }

    /** The encoded size of the report, in bytes. */
    public int sizeBytes() {
        return encoded.length;
    }

    /**
     * The metrics as the worker reported them (labels as the application set them; the primary adds none here).
     * Needs {@code io.prometheus:prometheus-metrics-model} on the caller's classpath (jcluster's command line has it).
     *
     * @return an {@code io.prometheus.metrics.model.snapshots.MetricSnapshots}
     * @throws IllegalArgumentException when the report cannot be read
     */
    public io.prometheus.metrics.model.snapshots.MetricSnapshots snapshots() {
        Object d = decoded;
        if (d == null) {
            d = SnapshotCodec.decode(encoded);
            decoded = d;
        }
        return (io.prometheus.metrics.model.snapshots.MetricSnapshots) d;
    }

    @Override
    public String toString() {
        return "AppMetrics[" + encoded.length + " bytes]";
    }
}
