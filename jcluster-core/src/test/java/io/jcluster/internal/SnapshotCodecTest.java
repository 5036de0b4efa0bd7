package io.jcluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.core.metrics.StateSet;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {

    private static MetricSnapshot named(MetricSnapshots all, String name) {
        return all.stream().filter(m -> m.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void everyCarriedKindRoundTripsWithItsLabelsAndValues() throws Exception {
        PrometheusRegistry r = new PrometheusRegistry();
        Counter orders = Counter.builder().name("orders").help("orders taken").labelNames("kind").register(r);
        orders.labelValues("book").inc(3);
        orders.labelValues("pen").inc();
        Gauge.builder().name("queue_size_bytes").unit(io.prometheus.metrics.model.snapshots.Unit.BYTES).register(r).set(42.5);
        Histogram h = Histogram.builder().name("work_seconds").classicUpperBounds(0.1, 1).classicOnly().register(r);
        h.observe(0.05);
        h.observe(0.5);
        h.observe(7);
        Summary s = Summary.builder().name("sizes").quantile(0.5, 0.01).register(r);
        s.observe(10);
        s.observe(20);
        Info.builder().name("build_info").labelNames("version").register(r).setLabelValues("1.2.3");

        MetricSnapshots back = SnapshotCodec.decode(SnapshotCodec.encode(r.scrape(), 1 << 20, null));

        CounterSnapshot c = (CounterSnapshot) named(back, "orders");
        assertThat(c.getMetadata().getHelp()).isEqualTo("orders taken");
        assertThat(c.getDataPoints()).extracting(p -> p.getLabels().get("kind") + "=" + p.getValue())
                .containsExactlyInAnyOrder("book=3.0", "pen=1.0");
        GaugeSnapshot g = (GaugeSnapshot) named(back, "queue_size_bytes");
        assertThat(g.getMetadata().getUnit().toString()).isEqualTo("bytes");
        assertThat(g.getDataPoints().get(0).getValue()).isEqualTo(42.5);
        HistogramSnapshot hs = (HistogramSnapshot) named(back, "work_seconds");
        HistogramSnapshot.HistogramDataPointSnapshot hp = hs.getDataPoints().get(0);
        assertThat(hp.getCount()).isEqualTo(3);
        assertThat(hp.getSum()).isEqualTo(7.55);
        assertThat(hp.getClassicBuckets().size()).isEqualTo(3); // 0.1, 1, +Inf
        SummarySnapshot ss = (SummarySnapshot) named(back, "sizes");
        assertThat(ss.getDataPoints().get(0).getCount()).isEqualTo(2);
        assertThat(ss.getDataPoints().get(0).getQuantiles().size()).isEqualTo(1);
        InfoSnapshot info = (InfoSnapshot) named(back, "build");
        assertThat(info.getDataPoints().get(0).getLabels().get("version")).isEqualTo("1.2.3");
    }

    @Test
    void stateSetsAreLeftOutAndNamed() throws Exception {
        PrometheusRegistry r = new PrometheusRegistry();
        StateSet.builder().name("feature").states("a", "b").register(r);
        Counter.builder().name("kept").register(r).inc();
        List<String> skipped = new ArrayList<>();
        MetricSnapshots back = SnapshotCodec.decode(SnapshotCodec.encode(r.scrape(), 1 << 20, skipped));
        assertThat(skipped).containsExactly("feature");
        assertThat(back.stream().map(m -> m.getMetadata().getName())).containsExactly("kept");
    }

    @Test
    void moreThanTheBoundIsRefused() {
        PrometheusRegistry r = new PrometheusRegistry();
        Counter c = Counter.builder().name("per_user").labelNames("user").register(r);
        for (int i = 0; i < 1000; i++) {
            c.labelValues("user-" + i).inc();
        }
        assertThatThrownBy(() -> SnapshotCodec.encode(r.scrape(), 4096, null))
                .isInstanceOf(SnapshotCodec.TooLarge.class).hasMessageContaining("4096 bytes");
    }

    @Test
    void badBytesAreAClearError() throws Exception {
        assertThat(SnapshotCodec.decode(new byte[0]).size()).isZero();
        assertThatThrownBy(() -> SnapshotCodec.decode(new byte[] {9})).hasMessageContaining("version 9");
        PrometheusRegistry r = new PrometheusRegistry();
        Counter.builder().name("x").register(r).inc();
        byte[] b = SnapshotCodec.encode(r.scrape(), 1 << 20, null);
        assertThatThrownBy(() -> SnapshotCodec.decode(java.util.Arrays.copyOf(b, b.length - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    }
}
