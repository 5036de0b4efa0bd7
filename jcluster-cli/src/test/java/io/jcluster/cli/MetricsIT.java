package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics as a user scrapes them: {@code GET /metrics} of the admin endpoint of a real primary, before and after
 * real requests; and the app metrics of a worker application with Micrometer meters.
 */
@Timeout(240)
class MetricsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    @TempDir
    Path home;

    /** Every sample of the exposition: "name{labels}" → value. */
    static Map<String, Double> scrape(int admin) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> m = new TreeMap<>();
        for (String line : r.body().lines().toList()) {
            Matcher s = SAMPLE.matcher(line);
            if (!line.startsWith("#") && s.matches()) {
                m.put(s.group(1) + (s.group(2) == null ? "" : s.group(2)), Double.parseDouble(s.group(3)));
            }
        }
        return m;
    }

    static double sum(Map<String, Double> samples, String name) {
        return samples.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    @Test
    void aThousandRequestsMoveTheRequestCountersByExactlyAThousand() throws Exception {
        Jcluster cli = new Jcluster(home);
        int admin = Jcluster.freePort();
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("m", 2, "--admin", "127.0.0.1:" + admin,
                "--", "--port", "0"))) {
            int port = primary.awaitUp();
            // both workers have reported (heartbeat and stats) before the first scrape counts
            await().atMost(Duration.ofSeconds(30)).until(() -> sum(scrape(admin), "jcluster_worker_heap_used_bytes") > 0
                    && scrape(admin).keySet().stream().filter(k -> k.startsWith("jcluster_worker_heap_used_bytes{")).count() == 2);
            Map<String, Double> before = scrape(admin);
            for (int i = 0; i < 1000; i++) {
                assertThat(RawHttp.get(port, "/").status()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                    sum(scrape(admin), "jcluster_worker_requests_total") - sum(before, "jcluster_worker_requests_total") >= 1000
                    && sum(scrape(admin), "jcluster_http_request_duration_seconds_count")
                            - sum(before, "jcluster_http_request_duration_seconds_count") >= 1000);
            Thread.sleep(2500); // two more reports: nothing counted twice
            Map<String, Double> after = scrape(admin);
            assertThat(sum(after, "jcluster_worker_requests_total") - sum(before, "jcluster_worker_requests_total"))
                    .isEqualTo(1000);
            assertThat(sum(after, "jcluster_http_request_duration_seconds_count")
                    - sum(before, "jcluster_http_request_duration_seconds_count")).isEqualTo(1000);
            assertThat(sum(after, "jcluster_worker_accepted_connections_total")
                    - sum(before, "jcluster_worker_accepted_connections_total")).isEqualTo(1000); // one per request
            assertThat(sum(after, "jcluster_handoff_connections_total") - sum(before, "jcluster_handoff_connections_total"))
                    .isEqualTo(1000);
            assertThat(after.get("jcluster_workers{state=\"listening\"}")).isEqualTo(2);
            assertThat(after.keySet()).anyMatch(k -> k.matches("jcluster_worker_up\\{pid=\"\\d+\",worker=\"1\"}"));
            assertThat(sum(after, "jcluster_worker_resident_memory_bytes")).isGreaterThan(2 << 20);
            assertThat(sum(after, "jcluster_worker_cpu_seconds_total")).isGreaterThan(0);
            assertThat(after.keySet()).anyMatch(k -> k.startsWith("jcluster_worker_gc_pause_seconds_total{"));
            assertThat(after.keySet()).anyMatch(k -> k.startsWith("jcluster_worker_heartbeat_latency_seconds{"));
            assertThat(after).containsKey("jcluster_handoff_pending").containsKey("jcluster_reloads_total{result=\"success\"}");
            assertThat(after.get("jcluster_http_request_duration_seconds_bucket{le=\"+Inf\"}"))
                    .isEqualTo(after.get("jcluster_http_request_duration_seconds_count"));
            assertThat(after.keySet()).anyMatch(k -> k.startsWith("jvm_") || k.startsWith("process_"));

            // the same figures in status --json, per worker
            JsonNode status = JSON.readTree(cli.run("status", "m", "--json").out());
            for (JsonNode w : status.get("workers")) {
                assertThat(w.get("heapUsedBytes").asLong()).isPositive();
                assertThat(w.get("gcPauseSeconds").isNumber()).isTrue();
                assertThat(w.get("cpuSeconds").asDouble()).isPositive();
                assertThat(w.get("acceptedConnections").asLong()).isPositive();
                assertThat(w.get("heartbeatLagSeconds").asDouble()).isBetween(0.0, 10.0);
                assertThat(w.get("latencyP50Seconds").asDouble()).isPositive();
                assertThat(w.get("latencyP99Seconds").asDouble()).isGreaterThanOrEqualTo(w.get("latencyP50Seconds").asDouble());
            }
        }
    }

    @Test
    void aWorkersMicrometerCounterIsShownByThePrimaryWithTheWorkerLabel() throws Exception {
        Jcluster cli = new Jcluster(home);
        int admin = Jcluster.freePort();
        List<String> args = new ArrayList<>(List.of("start", "--name", "meters", "--instances", "2",
                "--admin", "127.0.0.1:" + admin, "--classpath", classpath(), "--main-class", "io.jcluster.cli.apps.MeteredApp",
                "--", "--port", "0"));
        try (Jcluster.Running primary = cli.start(args)) {
            int port = primary.awaitUp();
            for (int i = 0; i < 10; i++) {
                assertThat(RawHttp.get(port, "/order").status()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> sum(scrape(admin), "orders_total") == 10);
            Map<String, Double> m = scrape(admin);
            List<String> series = m.keySet().stream().filter(k -> k.startsWith("orders_total{")).toList();
            assertThat(series).hasSize(2).allMatch(k -> k.matches("orders_total\\{kind=\"book\",pid=\"\\d+\",worker=\"\\d+\"}"));
            Set<String> workers = new LinkedHashSet<>();
            series.forEach(k -> workers.add(k.replaceAll(".*worker=\"(\\d+)\".*", "$1")));
            assertThat(workers).hasSize(2);
        }
    }

    /** The test classes and the jars of Micrometer and the Prometheus client: the application's classpath. */
    private static String classpath() throws Exception {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(Jcluster.TEST_CLASSES.toString());
        for (String c : List.of("io.micrometer.core.instrument.Counter", "io.micrometer.common.util.StringUtils",
                "io.micrometer.observation.Observation", "io.micrometer.prometheusmetrics.PrometheusMeterRegistry",
                "io.prometheus.metrics.core.metrics.Counter", "io.prometheus.metrics.model.registry.PrometheusRegistry",
                "io.prometheus.metrics.config.PrometheusProperties", "io.prometheus.metrics.expositionformats.ExpositionFormats",
                "io.prometheus.metrics.expositionformats.TextFormatUtil",
                "io.prometheus.metrics.tracer.common.SpanContext", "org.HdrHistogram.Histogram")) {
            try {
                entries.add(Path.of(Class.forName(c).getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (ClassNotFoundException e) {
                // not a dependency of this version
            }
        }
        return String.join(":", entries);
    }
}
