package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.testkit.RealProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Issue 17: the flags that turn supervision off or bound it, through the real command: what a user sees. */
@Timeout(150)
class PolicyFlagsIT {
    @TempDir
    Path home;

    /** {@code --hang-timeout off}: a worker whose event loop stops answering heartbeats is logged, not killed. */
    @Test
    void withHangTimeoutOffASilentWorkerIsLoggedAndLeftAlone() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("still", 1, "--hang-timeout", "off", "--",
                "--port", "0"))) {
            int port = primary.awaitUp();
            primary.descendants();
            long pid = ClusterIT.workers(cli, "still").get(0).get("pid").asLong();
            // Its only event loop sleeps 18 s: longer than the 10 s after which a silent worker is reported.
            CompletableFuture<RawHttp> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return RawHttp.get(port, "/block?ms=18000", 90_000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, Jcluster.THREADS);
            primary.await("worker 1 \\(pid " + pid + "\\): its event loop did not answer heartbeats for \\d+ s "
                    + "\\(hang-timeout is off: left alone\\)", Duration.ofSeconds(60));
            assertThat(blocked.get(90, TimeUnit.SECONDS).status()).as("the blocked request, answered in the end")
                    .isEqualTo(200);
            assertThat(RawHttp.get(port, "/").body()).contains("\"pid\":" + pid);
            JsonNode ws = ClusterIT.workers(cli, "still");
            assertThat(ws).hasSize(1);
            assertThat(ws.get(0).get("pid").asLong()).isEqualTo(pid);
            assertThat(ws.get(0).get("restarts").asInt()).isZero();
            assertThat(primary.output()).doesNotContain("recycling worker").doesNotContain("thread dump of worker");
        }
    }

    /** {@code --no-autorestart}: a killed worker is not replaced; status shows one worker of two wanted. */
    @Test
    void withNoAutorestartAKilledWorkerIsNotReplaced() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("once", 2, "--no-autorestart", "--",
                "--port", "0"))) {
            int port = primary.awaitUp();
            primary.descendants();
            JsonNode ws = ClusterIT.workers(cli, "once");
            long victim = ws.get(0).get("pid").asLong();
            long survivor = ws.get(1).get("pid").asLong();
            assertThat(RealProcess.signal(victim, "KILL")).isTrue();
            primary.await("worker \\d+ \\(pid " + victim + "\\) died: .*not restarted \\(autorestart is off\\)");
            // No replacement for a while: more than the restart delay (100 ms) many times over.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> primary.descendants().stream().filter(ProcessHandle::isAlive)
                            .filter(p -> !RealProcess.gone(p.pid())).count() == 1);
            JsonNode now = ClusterIT.workers(cli, "once");
            assertThat(now).hasSize(1);
            assertThat(now.get(0).get("pid").asLong()).isEqualTo(survivor);
            Jcluster.Result status = cli.run("status", "once");
            assertThat(status.out()).as(status.all()).contains("workers 1/2");
            for (int i = 0; i < 4; i++) {
                assertThat(RawHttp.get(port, "/").body()).contains("\"pid\":" + survivor);
            }
            assertThat(primary.output()).doesNotContain("restarts worker slot");
        }
    }

    /**
     * {@code stop --timeout}: a worker that will not stop (SIGTERM ignored, its event loop busy with a request) is
     * killed at the timeout; the command returns then, not earlier and not much later, and no process is left.
     */
    @Test
    void stopTimeoutKillsAWorkerThatWillNotStopAtTheTimeout() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("stuck", 1, "--hang-timeout", "off",
                "--drain-timeout", "120s", "--", "--port", "0", "--ignore-term"))) {
            int port = primary.awaitUp();
            List<ProcessHandle> workers = primary.descendants();
            assertThat(workers).hasSize(1);
            ProcessHandle worker = workers.get(0);
            RealProcess.signal(worker.pid(), "TERM");
            primary.await("TestApp " + worker.pid() + " ignores SIGTERM");
            CompletableFuture.runAsync(() -> {
                try {
                    RawHttp.get(port, "/block?ms=100000", 120_000);
                } catch (Exception e) {
                    // cut off by the kill: expected
                }
            }, Jcluster.THREADS);
            // The request is in the worker's loop once heartbeats go unanswered; wait for a few to be missed.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                JsonNode w = ClusterIT.workers(cli, "stuck").get(0);
                return w.path("heartbeatLagSeconds").asDouble(0) >= 2;
            });
            AtomicReference<Long> killedAt = new AtomicReference<>();
            worker.onExit().thenRun(() -> killedAt.set(System.nanoTime()));
            long t0 = System.nanoTime();
            Jcluster.Result stop = cli.run("stop", "stuck", "--timeout", "5s");
            long returned = System.nanoTime();
            assertThat(stop.exit()).as(stop.all()).isZero();
            assertThat(stop.out()).contains("jcluster: stopped stuck");
            await().atMost(Duration.ofSeconds(5)).until(() -> RealProcess.gone(worker.pid()));
            assertThat(primary.waitExit(Duration.ofSeconds(15))).as(primary.output()).isZero();
            assertThat(primary.output()).contains("stopping gracefully (deadline 5s)")
                    .containsPattern("worker 1 \\(pid " + worker.pid() + "\\) did not stop within 5000 ms; killing it");
            double tookSeconds = (returned - t0) / 1e9;
            assertThat(tookSeconds).as("stop --timeout 5s returned after").isGreaterThanOrEqualTo(5.0)
                    .isLessThan(5.0 + 30); // the command's own JVM start and a loaded machine: a wide margin
            if (killedAt.get() != null) {
                assertThat((killedAt.get() - t0) / 1e9).as("the worker died after").isGreaterThanOrEqualTo(5.0);
            }
            assertThat(ListenAddressIT.processesWith("JCLUSTER_HOME=" + home)).as("processes left").isEmpty();
        }
    }
}
