package io.jcluster.cli;

import io.jcluster.contract.ExitCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10: a scale beyond the machine is refused before any worker starts (exit 2; --force overrides), a wrong
 * count is a usage error, and a scale up in progress ends cleanly on Ctrl-C or a stop: one line, no stack trace.
 */
@Timeout(240)
class ScaleIT {
    @TempDir
    Path home;

    @Test
    void aCountBeyondTheMachineIsRefusedBeforeAnyWorkerStarts() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("big", 1, "--", "--port", "0"))) {
            primary.awaitUp();
            Jcluster.Result r = cli.run("scale", "big", "1000");
            assertThat(r.exit()).as(r.all()).isEqualTo(ExitCode.USAGE.code());
            assertThat(r.err()).contains("jcluster: refusing to scale big from 1 to 1000: 1000 workers are more than this "
                    + "machine can run").contains("--force scales anyway");
            assertThat(primary.output()).doesNotContain("scale: 1 -> 1000");
            assertThat(ClusterIT.workers(cli, "big")).hasSize(1);

            for (String bad : List.of("many", "0", "-1", "1.5")) {
                Jcluster.Result b = cli.run("scale", "big", bad);
                assertThat(b.exit()).as(bad + ": " + b.all()).isEqualTo(ExitCode.USAGE.code());
                assertThat(b.err()).as(bad).startsWith("jcluster: ");
            }
        }
    }

    @Test
    void startRefusesMoreWorkersThanTheMachineHolds() throws Exception {
        Jcluster.Result r = new Jcluster(home).run(Jcluster.testApp("huge", 1000, "--", "--port", "0").toArray(String[]::new));
        assertThat(r.exit()).as(r.all()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("jcluster: refusing to start 1000 workers: 1000 workers are more than this machine can run")
                .contains("--force starts them anyway");
    }

    @Test
    void ctrlCOnTheScaleCommandCancelsTheScaleUp() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("cc", 1, "--", "--port", "0"))) {
            primary.awaitUp();
            try (Jcluster.Running scaling = cli.start(List.of("scale", "cc", "+6", "--force"))) {
                scaling.await("\\] 0/6  worker \\d+ \\(pid \\d+\\) starting \\(1 of 6 started\\)");
                scaling.signal("INT");
                scaling.waitExit(Duration.ofSeconds(30));
                assertThat(scaling.output()).doesNotContain("Exception");
            }
            int kept = Integer.parseInt(primary.await("scale cancelled \\(the scale command went away \\(interrupted\\)\\): "
                    + "(\\d) of 6 new worker\\(s\\) ready and kept").group(1));
            assertThat(kept).isLessThan(6);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ClusterIT.workers(cli, "cc"))
                    .hasSize(1 + kept).allMatch(w -> !w.has("leaving")));
            assertThat(primary.output()).doesNotContain("InterruptedException");
        }
    }

    @Test
    void aStopCancelsAScaleUpWithOneLineAndNoPerWorkerWarnings() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("st", 1, "--", "--port", "0"))) {
            primary.awaitUp();
            try (Jcluster.Running scaling = cli.start(List.of("scale", "st", "+6", "--force"))) {
                scaling.await("\\] 0/6  worker \\d+ \\(pid \\d+\\) starting \\(1 of 6 started\\)");
                Jcluster.Result stop = cli.run("stop", "st", "--now");
                assertThat(stop.exit()).as(stop.all()).isZero();
                assertThat(scaling.waitExit(Duration.ofSeconds(30))).as(scaling.output()).isEqualTo(ExitCode.FAILED.code());
                List<String> said = scaling.output().lines().filter(l -> l.startsWith("jcluster: ")).toList();
                assertThat(said).as(scaling.output()).hasSize(1);
                assertThat(said.get(0)).contains("scale cancelled (st is stopping)");
                assertThat(scaling.output()).doesNotContain("Exception");
            }
            assertThat(primary.waitExit(Duration.ofSeconds(30))).isZero();
            assertThat(primary.output()).doesNotContain("did not stop within").doesNotContain("InterruptedException")
                    .contains("stop requested: stopping now (workers killed)");
        }
    }
}
