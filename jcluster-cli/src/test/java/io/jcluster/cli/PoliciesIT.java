package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Supervision policies: a hung worker is dumped and replaced; memory and max-requests recycle workers. */
@Timeout(240)
class PoliciesIT {
    @TempDir
    Path home;

    @Test
    void aWorkerWhoseLoopIsBlockedIsDumpedAndReplaced() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("hang", 2, "--hang-timeout", "5s", "--",
                "--port", "0"))) {
            int port = primary.awaitUp();
            Thread blocker = new Thread(() -> {
                try {
                    RawHttp.get(port, "/block?ms=120000");
                } catch (Exception e) {
                    // it times out: the worker is hung
                }
            });
            blocker.setDaemon(true);
            blocker.start();
            Matcher m = primary.await("recycling worker (\\d+) \\(pid (\\d+)\\): its event loop did not answer heartbeats for \\d+ s",
                    Duration.ofSeconds(30));
            int hung = Integer.parseInt(m.group(1));
            long pid = Long.parseLong(m.group(2));
            primary.await("thread dump of worker " + hung + " \\(pid " + pid + "\\) saved to .*worker-" + hung + "\\.log");
            primary.await("worker " + hung + " \\(pid " + pid + "\\) stopped \\(");
            ProcessHandle.of(pid).ifPresent(h -> {
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            String log = Files.readString(home.resolve("logs").resolve("hang").resolve("worker-" + hung + ".log"));
            assertThat(log).contains("thread dump taken by the primary").contains("Full thread dump")
                    .contains("io.jcluster.cli.apps.TestApp").contains("Thread.sleep");
            ClusterIT.awaitWorkers(cli, "hang", 2);
            JsonNode ws = ClusterIT.workers(cli, "hang");
            assertThat(ws).noneMatch(w -> w.get("id").asInt() == hung);
            for (int i = 0; i < 4; i++) {
                assertThat(RawHttp.get(port, "/").status()).isEqualTo(200);
            }
        }
    }

    @Test
    void aWorkerOverItsMemoryLimitIsRecycled() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("mem", 2, "--max-memory", "250M", "--",
                "--port", "0"))) {
            int port = primary.awaitUp();
            String body = RawHttp.get(port, "/alloc?mb=300").body();
            assertThat(body).contains("\"heldMb\":300");
            Matcher m = primary.await("recycling worker (\\d+) \\(pid (\\d+)\\): its RSS \\S+ stayed over the limit of 250M",
                    Duration.ofSeconds(30));
            int fat = Integer.parseInt(m.group(1));
            primary.await("worker " + fat + " \\(pid \\d+\\) stopped \\(recycled: its RSS");
            ClusterIT.awaitWorkers(cli, "mem", 2);
            assertThat(ClusterIT.workers(cli, "mem")).noneMatch(w -> w.get("id").asInt() == fat);
        }
    }

    @Test
    void aWorkerIsRecycledAfterItsMaxRequestsWithJitter() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("leaky", 2, "--max-requests", "20",
                "--max-requests-jitter", "5", "--", "--port", "0"))) {
            int port = primary.awaitUp();
            Set<Long> limits = new HashSet<>();
            for (JsonNode w : ClusterIT.workers(cli, "leaky")) {
                long limit = w.get("requestLimit").asLong();
                assertThat(limit).isBetween(20L, 25L);
                limits.add(limit);
            }
            int failed = 0;
            for (int i = 0; i < 60; i++) {
                if (RawHttp.get(port, "/").status() != 200) {
                    failed++;
                }
            }
            assertThat(failed).isZero();
            for (int i = 0; i < 2; i++) {
                Matcher m = primary.await("recycling worker ([12]) \\(pid \\d+\\): it served (\\d+) requests \\(its limit: (\\d+)\\)",
                        Duration.ofSeconds(30));
                assertThat(Long.parseLong(m.group(2))).isGreaterThanOrEqualTo(Long.parseLong(m.group(3)));
            }
            ClusterIT.awaitWorkers(cli, "leaky", 2);
            assertThat(ClusterIT.workers(cli, "leaky")).noneMatch(w -> w.get("id").asInt() <= 2);
        }
    }

    @Test
    void aCrashedWorkerIsRestartedUntilACrashLoopStopsTheCluster() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("crashy", 1, "--max-restarts", "1",
                "--restart-window", "60s", "--", "--port", "0"))) {
            int port = primary.awaitUp();
            long first = ClusterIT.workers(cli, "crashy").get(0).get("pid").asLong();
            RawHttp.get(port, "/exit");
            primary.await("worker 1 \\(pid " + first + "\\) died: exit code 3; the restart policy replaces it");
            primary.await("worker 2 \\(pid \\d+\\) restarts worker slot 1 \\(restart 1\\)");
            ClusterIT.awaitWorkers(cli, "crashy", 1);
            JsonNode w = ClusterIT.workers(cli, "crashy").get(0);
            assertThat(w.get("restarts").asInt()).isEqualTo(1);
            assertThat(RawHttp.get(port, "/").status()).as("the port stayed open across the crash").isEqualTo(200);
            Jcluster.Result table = cli.run("status", "crashy");
            assertThat(table.out()).containsPattern("\\n2\\s+\\d+\\s+listening\\s+1\\s+\\S+\\s+1\\s+");

            RawHttp.get(port, "/exit"); // a second crash within the window: a crash loop
            assertThat(primary.waitExit(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(primary.output()).contains("crash loop");
            assertThat(home.resolve("crashy.json")).doesNotExist();
        }
    }
}
