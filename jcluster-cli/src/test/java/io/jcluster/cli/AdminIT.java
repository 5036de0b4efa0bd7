package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcluster.contract.ExitCode;
import io.jcluster.testkit.RealProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin endpoint of a real primary (issue 14): what a probe, a scraper, a browser and an operator see. */
@Timeout(180)
class AdminIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path home;

    private Jcluster cli() {
        return new Jcluster(home);
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(int port, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits for the primary's "Dashboard: URL" line; returns the port. */
    static int awaitDashboard(Jcluster.Running p) throws InterruptedException {
        return Integer.parseInt(p.await("Dashboard: http://127\\.0\\.0\\.1:(\\d+)/").group(1));
    }

    @Test
    void everyEndpointAnswersOnItsOwnThreadAndTheEndpointIsReadOnlyWithoutAToken() throws Exception {
        int admin = Jcluster.freePort();
        try (Jcluster.Running p = cli().start(Jcluster.testApp("adm", 2, "--admin", Integer.toString(admin),
                "--", "--port", "0"))) {
            assertThat(awaitDashboard(p)).isEqualTo(admin);
            p.awaitUp();
            assertThat(get(admin, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(admin, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ready.body()).get("listening").asInt()).isEqualTo(2);

            HttpResponse<String> status = get(admin, "/api/status");
            assertThat(status.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode s = JSON.readTree(status.body());
            JsonNode cliStatus = JSON.readTree(cli().run("status", "adm", "--json").out());
            assertThat(s.get("name").asText()).isEqualTo("adm");
            assertThat(s.get("pid").asLong()).isEqualTo(p.process.pid());
            assertThat(fieldNames(s)).isEqualTo(fieldNames(cliStatus));
            assertThat(s.get("workers")).hasSize(2);

            HttpResponse<String> metrics = get(admin, "/metrics");
            assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
            assertThat(metrics.body()).contains("\njvm_memory_used_bytes{", "\nprocess_cpu_seconds_total ");

            HttpResponse<String> page = get(admin, "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            HttpResponse<String> uplot = get(admin, "/assets/uplot/uPlot.iife.min.js");
            assertThat(uplot.statusCode()).isEqualTo(200);
            assertThat(uplot.body()).contains("uPlot");
            assertThat(get(admin, "/assets/../META-INF/MANIFEST.MF").statusCode()).isEqualTo(404);
            assertThat(uplot.headers().map().keySet()).noneMatch(h -> h.startsWith("access-control"));

            assertThat(JSON.readTree(get(admin, "/api/admin").body()).get("mutations").asBoolean()).isFalse();
            assertThat(post(admin, "/api/reload", "", "anything").statusCode()).isEqualTo(403);

            assertThat(threadNames(p.process.pid())).contains("jcluster-admin");
        }
    }

    @Test
    void readinessTurns503AsSoonAsSigtermBeginsWhileThePrimaryDrains() throws Exception {
        int admin = Jcluster.freePort();
        try (Jcluster.Running p = cli().start(Jcluster.testApp("drain", 1, "--admin", "127.0.0.1:" + admin,
                "--drain-timeout", "30s", "--", "--port", "0"))) {
            int port = p.awaitUp();
            assertThat(get(admin, "/readyz").statusCode()).isEqualTo(200);
            // A request in flight for 8 s holds the worker (and so the primary) in its drain.
            CompletableFuture<HttpResponse<String>> slow = HTTP.sendAsync(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/slow?ms=8000")).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            p.awaitLines("TestApp \\d+ listening", 1, Duration.ofSeconds(5));
            p.awaitLines("TestApp \\d+ holds a request for 8000 ms", 1, Duration.ofSeconds(30)); // it reached the worker
            p.signal("TERM");
            HttpResponse<String> during = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && p.process.isAlive()) {
                HttpResponse<String> r = get(admin, "/readyz");
                if (r.statusCode() == 503) {
                    during = r;
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(during).as("/readyz answered 503 while the primary was still running").isNotNull();
            assertThat(JSON.readTree(during.body()).get("status").asText()).isEqualTo("stopping");
            assertThat(p.process.isAlive()).as("the primary still drains").isTrue();
            assertThat(slow.get(60, TimeUnit.SECONDS).statusCode()).as("the request in flight was served").isEqualTo(200);
            assertThat(p.waitExit(Duration.ofSeconds(60))).isZero();
        }
    }

    @Test
    void theEventStreamShowsAKilledWorkersExitAndItsReplacement() throws Exception {
        int admin = Jcluster.freePort();
        try (Jcluster.Running p = cli().start(Jcluster.testApp("sse", 2, "--admin", Integer.toString(admin),
                "--", "--port", "0"))) {
            p.awaitUp();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            HttpResponse<Stream<String>> stream = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin + "/api/events")).build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
            Thread reader = new Thread(() -> {
                try {
                    stream.body().forEach(lines::add);
                } catch (RuntimeException e) {
                    lines.add("(closed: " + e + ")"); // the test closed the stream
                }
            }, "sse-reader");
            reader.setDaemon(true);
            reader.start();
            try {
                assertThat(lines.poll(20, TimeUnit.SECONDS)).isEqualTo("retry: 2000");
                // the kept events: both workers' fork and listening
                JsonNode listening = nextEvent(lines, "listening", e -> true);
                assertThat(listening.get("worker").asInt()).isPositive();
                JsonNode status = JSON.readTree(get(admin, "/api/status").body());
                long victim = status.get("workers").get(0).get("pid").asLong();
                RealProcess.signal(victim, "9");
                JsonNode exit = nextEvent(lines, "exit", e -> e.get("pid").asLong() == victim);
                assertThat(exit.get("signal").asText()).isEqualTo("SIGKILL");
                assertThat(exit.get("code").asInt()).isEqualTo(137);
                assertThat(Instant(exit.get("time").asText())).isNotNull();
                JsonNode fork = nextEvent(lines, "fork", e -> e.get("slot").asInt() == exit.get("slot").asInt());
                assertThat(fork.get("pid").asLong()).isNotEqualTo(victim);
                JsonNode up = nextEvent(lines, "listening", e -> e.get("worker").asInt() == fork.get("worker").asInt());
                assertThat(up.get("generation").asInt()).isEqualTo(1);
            } finally {
                stream.body().close();
            }
        }
    }

    private static java.time.Instant Instant(String s) {
        return java.time.Instant.parse(s);
    }

    /** The next SSE event of {@code type} matching {@code p} (its data line as JSON), within 60 s. */
    private static JsonNode nextEvent(BlockingQueue<String> lines, String type, java.util.function.Predicate<JsonNode> p)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String event = null;
        while (System.nanoTime() < deadline) {
            String l = lines.poll(1, TimeUnit.SECONDS);
            if (l == null) {
                continue;
            }
            if (l.startsWith("event: ")) {
                event = l.substring(7);
            } else if (l.startsWith("data: ") && type.equals(event)) {
                JsonNode n = JSON.readTree(l.substring(6));
                assertThat(n.get("type").asText()).isEqualTo(type);
                if (p.test(n)) {
                    return n;
                }
            }
        }
        throw new AssertionError("no '" + type + "' event within 60 s");
    }

    @Test
    void mutationsNeedTheTokenAndAReloadThroughPostWorks() throws Exception {
        int admin = Jcluster.freePort();
        try (Jcluster.Running p = cli().start(Map.of("JCLUSTER_ADMIN_TOKEN", "t0ken"), Jcluster.testApp("mut", 1,
                "--admin", Integer.toString(admin), "--", "--port", "0"))) {
            int port = p.awaitUp();
            assertThat(JSON.readTree(get(admin, "/api/admin").body()).get("mutations").asBoolean()).isTrue();
            assertThat(post(admin, "/api/reload", "", null).statusCode()).isEqualTo(401);
            assertThat(post(admin, "/api/reload", "", "wrong").statusCode()).isEqualTo(401);
            assertThat(post(admin, "/api/scale", "{\"count\":2}", "wrong").statusCode()).isEqualTo(401);
            HttpResponse<String> reload = post(admin, "/api/reload", "", "t0ken");
            assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
            assertThat(JSON.readTree(reload.body()).get("generation").asInt()).isEqualTo(2);
            assertThat(JSON.readTree(RawHttp.get(port, "/").body()).get("gen").asText()).isEqualTo("2");
            HttpResponse<String> scale = post(admin, "/api/scale", "{\"count\":2}", "t0ken");
            assertThat(scale.statusCode()).as(scale.body()).isEqualTo(200);
            assertThat(JSON.readTree(get(admin, "/api/status").body()).get("workers")).hasSize(2);
        }
    }

    @Test
    void anExplicitAdminAddressThatCannotBeBoundIsAnError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Jcluster.Result r = cli().run(Jcluster.testApp("busy", 1, "--admin", Integer.toString(taken.getLocalPort()),
                    "--", "--port", "0").toArray(String[]::new));
            assertThat(r.exit()).isEqualTo(ExitCode.ADMIN_UNAVAILABLE.code());
            assertThat(r.err()).contains("the admin endpoint cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(r.out()).doesNotContain("is up");
            assertThat(home.resolve("busy.json")).doesNotExist();
        }
    }

    @Test
    void theDemoRegistersAndServesItsDashboard() throws Exception {
        int port = Jcluster.freePort();
        int admin = Jcluster.freePort();
        try (Jcluster.Running demo = cli().start(List.of("demo", "--port", Integer.toString(port), "--workers", "1",
                "--host", "127.0.0.1", "--admin", "127.0.0.1:" + admin))) {
            demo.await("^Primary process \\d+ is running$");
            assertThat(demo.await("^Dashboard: (http://\\S+)$").group(1)).isEqualTo("http://127.0.0.1:" + admin + "/");
            String pid = demo.await("^Worker (\\d+) started$").group(1);
            Jcluster.Result ls = cli().run("ls");
            assertThat(ls.out()).containsPattern("(?m)^demo\\s+" + demo.process.pid() + "\\s+running");
            JsonNode status = JSON.readTree(cli().run("status", "demo", "--json").out());
            assertThat(status.get("workers").get(0).get("pid").asText()).isEqualTo(pid);
            assertThat(status.get("addresses").get(0).asText()).isEqualTo("127.0.0.1:" + port);
            assertThat(cli().run("logs", "demo", "--lines", "50").out()).contains("Worker " + pid + " started");
            assertThat(get(admin, "/healthz").statusCode()).isEqualTo(200);
            demo.signal("INT");
            assertThat(demo.waitExit(Duration.ofSeconds(40))).isZero();
            assertThat(home.resolve("demo.json")).doesNotExist();
        }
    }

    @Test
    void theDemosDefaultAdminPortTakenItRunsWithoutIt() throws Exception {
        int port = Jcluster.freePort();
        ServerSocket held = null;
        try {
            try {
                held = new ServerSocket(8001, 50, InetAddress.getByName("127.0.0.1"));
            } catch (java.io.IOException e) {
                // taken already by something else: just as good
            }
            try (Jcluster.Running demo = cli().start(List.of("demo", "--port", Integer.toString(port), "--workers", "1"))) {
                demo.await("the admin endpoint cannot listen on 127\\.0\\.0\\.1:8001: .*running without it");
                demo.await("^Worker (\\d+) started$");
                assertThat(RawHttp.get(port, "/").status()).isEqualTo(200);
                assertThat(demo.output()).doesNotContain("Dashboard:");
                assertThat(demo.output().lines().filter(l -> l.contains("8001")).count()).as("one line").isEqualTo(1);
            }
        } finally {
            if (held != null) {
                held.close();
            }
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> l = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(l::add);
        l.remove("uptimeSeconds");
        return l;
    }

    private static List<String> threadNames(long pid) throws Exception {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.map(t -> {
                try {
                    return Files.readString(t.resolve("comm")).trim();
                } catch (java.io.IOException e) {
                    return "";
                }
            }).toList();
        }
    }
}
