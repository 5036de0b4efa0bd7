package io.jcluster.cli.apps;

import io.jcluster.cluster.AppMetrics;
import io.jcluster.http.App;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;

/**
 * A worker application with its own Micrometer meters, as a user writes one: a counter {@code orders} (one per
 * {@code GET /order}, tagged {@code kind}) in a {@link PrometheusMeterRegistry} that it hands to jcluster with one
 * line, {@link AppMetrics#expose}. Argument: {@code --port P}.
 */
public final class MeteredApp {
    private MeteredApp() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[1]);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AppMetrics.expose(registry);
        Counter orders = Counter.builder("orders").description("Orders taken").tag("kind", "book").register(registry);
        long pid = ProcessHandle.current().pid();
        App app = App.create();
        app.get("/order", (req, res) -> {
            orders.increment();
            res.json(Map.of("pid", pid));
        });
        app.listen(port, () -> System.out.println("MeteredApp " + pid + " listening"));
    }
}
