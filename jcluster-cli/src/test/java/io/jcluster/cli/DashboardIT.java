package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcluster.testkit.DebianPackage;
import io.jcluster.testkit.RealProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard ({@code GET /} of the admin endpoint) in a real headless Chromium: Debian's {@code /usr/bin/chromium}
 * driven by npm's playwright-core ({@code src/test/browser}, installed there by {@code npm ci} when missing; never a
 * downloaded browser), against a real cluster started with {@code --admin} and {@code --admin-token}. The Node script
 * does what a user does and reports what the page showed; the assertions are here.
 *
 * <p>Needs {@code node}, {@code npm} and {@code chromium} (installed from Debian when missing): fails, saying so, without.
 * The screenshot goes to {@code target/dashboard.png}; {@code -Djcluster.dashboard.screenshot=../docs/dashboard.png
 * -Djcluster.dashboard.workers=4} refreshes the README's.
 */
@Timeout(900) // generous: a loaded 2-core machine runs Chromium and several JVMs slowly
class DashboardIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path BROWSER = Path.of("src", "test", "browser").toAbsolutePath();
    static final String CHROMIUM = "/usr/bin/chromium";

    @TempDir
    Path home;

    @BeforeAll
    static void tools() throws Exception {
        DebianPackage.ensure("chromium", "chromium");
        assertThat(Path.of(CHROMIUM)).as("Debian's chromium (apt-get install -y chromium)").isExecutable();
        assertThat(exec(Duration.ofSeconds(30), List.of("node", "--version")).exit).as("node on PATH").isZero();
        if (!Files.isRegularFile(BROWSER.resolve("node_modules/playwright-core/package.json"))) {
            Exec npm = exec(Duration.ofMinutes(5), List.of("npm", "ci", "--no-audit", "--no-fund"));
            assertThat(npm.exit).as("npm ci in %s:%n%s", BROWSER, npm.out).isZero();
        }
    }

    /** The page's DOM-free logic (fleet model, chart ring, formats, event lines): node's own test runner. */
    @Test
    void pageLogic() throws Exception {
        Exec t = exec(Duration.ofMinutes(2), List.of("node", "--test", "logic.test.mjs"));
        assertThat(t.exit).as(t.out).isZero();
        assertThat(t.out).contains("# fail 0").doesNotContain("# pass 0");
    }

    @Test
    void liveDashboardInChromium() throws Exception {
        int admin = Jcluster.freePort();
        String token = "t0ken-" + ProcessHandle.current().pid();
        int workers = Integer.getInteger("jcluster.dashboard.workers", 2);
        Path screenshot = Path.of(System.getProperty("jcluster.dashboard.screenshot", "target/dashboard.png")).toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("dash", workers,
                "--admin", "127.0.0.1:" + admin, "--admin-token", token, "--ready-timeout", "180s",
                "--", "--port", "0"))) {
            int port = awaitUp(primary);
            JsonNode r = check(List.of("--url", "http://127.0.0.1:" + admin + "/", "--workers", Integer.toString(workers),
                    "--app-port", Integer.toString(port), "--token", token, "--kill", "signal",
                    "--screenshot", screenshot.toString(), "--stop-primary"), primary);

            assertThat(r.path("error").isMissingNode())
                    .as("the script failed: %s%nprimary:%n%s", r.path("error"), primary.output()).isTrue();
            assertThat(r.get("pageStatus").asInt()).isEqualTo(200);
            assertThat(r.get("title").asText()).isEqualTo("dash · jcluster");
            assertThat(r.get("pageErrors")).as("uncaught errors in the page").isEmpty();
            List<String> errors = new ArrayList<>();
            for (JsonNode e : r.get("consoleErrors")) {
                String phase = e.get("phase").asText();
                String text = e.get("text").asText();
                boolean expected = phase.equals("wrong-token") && text.contains("401")
                        || phase.equals("primary-gone") && text.startsWith("Failed to load resource: net::");
                if (!expected) {
                    errors.add(phase + ": " + text);
                }
            }
            assertThat(errors).as("console errors").isEmpty();

            assertThat(r.get("headers")).extracting(JsonNode::asText).containsExactly(
                    "ID", "PID", "State", "Gen", "Uptime", "Restarts", "RSS", "CPU", "Req/s", "Conns", "Lag");
            JsonNode initial = r.get("initial");
            assertThat(initial).as("one row per worker").hasSize(workers);
            Set<String> pids = new HashSet<>();
            for (JsonNode row : initial) {
                assertThat(row.get("stateText").asText()).isEqualTo("listening");
                assertThat(row.get("cells").get(6).asText()).as("RSS").matches("[\\d.]+ MB");
                pids.add(row.get("pid").asText());
            }
            assertThat(pids).hasSize(workers);

            JsonNode killed = r.get("killed");
            assertThat(killed.get("after").get("stateText").asText()).as("the killed worker's row")
                    .isIn("exited (SIGKILL)", "gone", "dead");
            Set<String> before = new HashSet<>();
            initial.forEach(row -> before.add(row.get("id").asText()));
            List<String> fresh = new ArrayList<>();
            for (JsonNode row : r.get("afterKill")) {
                if (!before.contains(row.get("id").asText()) && row.get("state").asText().equals("listening")) {
                    fresh.add(row.get("id").asText());
                }
            }
            assertThat(fresh).as("a new row for the replacement").hasSize(1);
            assertThat(r.get("events").toString()).contains("killed by SIGKILL");

            assertThat(r.get("controlsVisible").asBoolean()).as("reload and scale shown with --admin-token").isTrue();
            assertThat(r.get("noToken").get("title").asText()).contains("needs the admin token");
            assertThat(r.get("wrongToken").get("title").asText()).contains("401");
            assertThat(r.get("wrongToken").get("error").asBoolean()).isTrue();
            assertThat(r.get("scaled").get("title").asText()).contains("done (200)");
            assertThat(r.get("afterScale").findValuesAsText("state").stream().filter("listening"::equals)).hasSize(workers + 1);

            // the test app is on jcluster's HTTP API: it reports latency too
            for (String chart : List.of("rate", "latency", "rss", "cpu")) {
                JsonNode c = r.get("charts").get(chart);
                assertThat(c.get("series")).as(chart + " series").isNotEmpty();
                assertThat(c.get("points").asInt()).as(chart + " points").isGreaterThan(3);
                assertThat(c.get("painted").asInt()).as(chart + " canvas pixels").isGreaterThan(500);
            }
            assertThat(r.get("charts").get("rate").get("series").toString())
                    .as("a series for the replacement too").contains("worker " + fresh.get(0));
            assertThat(r.get("traffic").get("ok").asInt()).isPositive();
            assertThat(r.get("disconnected").asText()).startsWith("disconnected");
            assertThat(screenshot).isNotEmptyFile();
        }
    }

    /** Without --admin-token the endpoint takes no mutation: the page shows no control, and nothing fails. */
    @Test
    void readOnlyWithoutToken() throws Exception {
        int admin = Jcluster.freePort();
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("ro", 1, "--admin", "127.0.0.1:" + admin,
                "--ready-timeout", "180s", "--", "--port", "0"))) {
            awaitUp(primary);
            JsonNode r = check(List.of("--url", "http://127.0.0.1:" + admin + "/", "--workers", "1", "--view-only"), primary);
            assertThat(r.path("error").isMissingNode()).as("the script failed: %s", r.path("error")).isTrue();
            assertThat(r.get("consoleErrors")).as("console errors").isEmpty();
            assertThat(r.get("pageErrors")).as("uncaught errors in the page").isEmpty();
            assertThat(r.get("controlsVisible").asBoolean()).as("reload and scale shown without a token").isFalse();
            assertThat(r.get("initial")).hasSize(1);
            assertThat(r.get("events").toString()).contains("listening");
        }
    }

    /** The harness's awaitUp, with room for a start on a machine busy with other builds. */
    private static int awaitUp(Jcluster.Running primary) throws InterruptedException {
        String up = "is up: \\d+ worker\\(s\\) listening on \\S*:(\\d+)";
        return Integer.parseInt(primary.await(up, Duration.ofMinutes(3)).group(1));
    }

    private JsonNode check(List<String> args, Jcluster.Running primary) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", "dashboard-check.js", "--wait-ms", "120000"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(BROWSER.toFile());
        try (RealProcess node = RealProcess.start(pb, "dashboard-check")) {
            String line;
            try {
                line = node.await("^RESULT (.*)$", Duration.ofMinutes(10)).group(1);
            } catch (AssertionError e) {
                throw new AssertionError("dashboard-check.js:\n" + node.output() + "\nprimary:\n" + primary.output(), e);
            }
            node.process().waitFor(30, TimeUnit.SECONDS);
            // what the page showed, to look at: target/dashboard-check-<primary pid>.json
            Files.writeString(Path.of("target", "dashboard-check-" + primary.process.pid() + ".json"), line);
            return JSON.readTree(line);
        }
    }

    record Exec(int exit, String out) {
    }

    /** Runs {@code cmd} in the browser test's directory to its end (at most {@code timeout}); reaps it in any case. */
    static Exec exec(Duration timeout, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(BROWSER.toFile()).redirectErrorStream(true).start();
        try {
            var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    return "(unreadable: " + e + ")";
                }
            }, Jcluster.THREADS);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(String.join(" ", cmd) + " did not end within " + timeout);
            }
            return new Exec(p.exitValue(), out.get(30, TimeUnit.SECONDS));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
