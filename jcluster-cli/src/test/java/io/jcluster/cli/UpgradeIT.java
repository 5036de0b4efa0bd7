package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jcluster.contract.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcluster upgrade NAME} under load: a new primary takes the listening socket over and the old one drains and
 * exits (0 failed requests); a new primary that cannot become ready exits and the old one keeps serving (0 failed
 * requests, exit status 13). The new primary is detached (its own session): it is stopped and reaped here too.
 */
@Timeout(300)
class UpgradeIT {
    @TempDir
    Path home;

    @Test
    void anUpgradeUnderLoadFailsNoRequestAndAFailedOneKeepsTheOldPrimary() throws Exception {
        Jcluster cli = new Jcluster(home);
        Path broken = home.resolve("broken-deploy");
        long[] primaries = new long[3];
        try (Jcluster.Running first = cli.start(Jcluster.testApp("up", 2, "--ready-timeout", "20s", "--drain-timeout",
                "10s", "--", "--port", "0", "--fail-if-exists", broken.toString()))) {
            int port = first.awaitUp();
            primaries[0] = first.process.pid();
            try (Load load = new Load(port, "/", 3, 30_000)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> load.ok.get() >= 100);

                // 1. the upgrade: a new primary on the same (port 0) socket, the old one drains and exits
                long before = load.total();
                Jcluster.Result up = cli.run("upgrade", "up");
                assertThat(up.exit()).as(up.all()).isZero();
                assertThat(up.out()).containsPattern("upgraded up: primary pid " + primaries[0] + " -> \\d+ \\(1 listening "
                        + "socket\\(s\\) handed over\\)");
                primaries[1] = SocketActivationIT.primaryPid(cli, "up");
                assertThat(primaries[1]).as("status reaches the new primary").isNotEqualTo(primaries[0]);
                assertThat(first.waitExit(Duration.ofSeconds(60))).as("the old primary's exit").isZero();
                long after = load.total();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.total() >= after + 200);
                assertThat(load.failures).as("failed requests across the upgrade").isEmpty();
                long upgraded = load.total() - before;
                assertThat(ClusterIT.workers(cli, "up")).as("the new primary's workers").hasSize(2);

                // 2. a new primary whose workers cannot boot: it exits, the old one keeps serving
                Files.createFile(broken);
                long before2 = load.total();
                Jcluster.Result failed = cli.run("upgrade", "up");
                assertThat(failed.exit()).as(failed.all()).isEqualTo(ExitCode.UPGRADE_FAILED.code());
                assertThat(failed.err()).contains("upgrade of up failed").contains("keeps serving");
                long after2 = load.total();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.total() >= after2 + 200);
                load.close();
                assertThat(load.failures).as("failed requests across the failed upgrade").isEmpty();
                assertThat(SocketActivationIT.primaryPid(cli, "up")).as("the same primary answers").isEqualTo(primaries[1]);
                assertThat(RawHttp.get(port, "/").status()).isEqualTo(200);
                System.out.printf("upgrade under load: %d requests across the upgrade, %d across the failed one, "
                                + "%d failed in all, slowest answer %d ms%n", upgraded, load.total() - before2,
                        load.failures.size(), load.slowestMillis.get());

                Jcluster.Result stop = cli.run("stop", "up");
                assertThat(stop.exit()).as(stop.all()).isZero();
                await().atMost(Duration.ofSeconds(60)).until(() -> ProcessHandle.of(primaries[1]).map(p -> !p.isAlive())
                        .orElse(true));
            }
        } finally {
            for (long pid : primaries) { // the detached primaries are no descendants of the test's process
                Optional<ProcessHandle> p = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
                p.ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
            }
        }
    }
}
