package io.jcluster.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jcluster.cluster.AppMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

class AppMetricsSourceTest {

    private static MetricSnapshots collected() {
        return AppMetrics.ofEncoded(AppMetricsSource.collect()).snapshots();
    }

    private static double value(MetricSnapshots all, String name) {
        return all.stream().filter(m -> m.getMetadata().getName().equals(name)).findFirst()
                .map(m -> ((CounterSnapshot) m).getDataPoints().get(0).getValue()).orElse(-1.0);
    }

    @Test
    void theDefaultRegistryIsReadByItselfAndAnExposedOneOnceExposed() {
        Counter.builder().name("source_test_default").register(PrometheusRegistry.defaultRegistry).inc(2);
        assertThat(value(collected(), "source_test_default")).isEqualTo(2.0);

        PrometheusRegistry own = new PrometheusRegistry();
        Counter.builder().name("source_test_own").register(own).inc(5);
        assertThat(value(collected(), "source_test_own")).as("not exposed yet").isEqualTo(-1.0);
        AppMetrics.expose(own);
        AppMetrics.expose(own); // twice: no second copy
        MetricSnapshots all = collected();
        assertThat(value(all, "source_test_own")).isEqualTo(5.0);
        assertThat(all.stream().filter(m -> m.getMetadata().getName().equals("source_test_own")).count()).isEqualTo(1);
    }

    @Test
    void anythingElseIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> AppMetrics.expose("a string")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.String is neither a Micrometer PrometheusMeterRegistry nor a Prometheus PrometheusRegistry");
        assertThatThrownBy(() -> AppMetrics.expose(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRegistryTooLargeToSendIsNotSent() {
        PrometheusRegistry big = new PrometheusRegistry();
        Counter c = Counter.builder().name("source_test_per_user").labelNames("user").register(big);
        String pad = "x".repeat(200);
        for (int i = 0; i < 6000; i++) { // ~6000 × 220 bytes > 1 MiB
            c.labelValues(pad + i).inc();
        }
        AppMetrics.expose(big);
        try {
            assertThat(AppMetricsSource.collect()).isEmpty();
        } finally {
            big.clear(); // the other tests' registries fit again
        }
        assertThat(AppMetricsSource.collect()).isNotEmpty();
    }
}
