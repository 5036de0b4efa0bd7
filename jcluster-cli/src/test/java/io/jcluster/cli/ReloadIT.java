package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcluster.contract.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Rolling reloads: no request lost under load; a broken new generation does not take the old one down. */
@Timeout(300)
class ReloadIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void reloadUnderLoadFailsNoRequest() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("live", 2, "--", "--port", "0"))) {
            int port = primary.awaitUp();
            assertThat(ClusterIT.workers(cli, "live")).as("instances at start, as PM2's NODE_APP_INSTANCE")
                    .extracting(w -> w.get("instance").asInt()).containsExactlyInAnyOrder(0, 1);
            Jcluster.Result reload;
            long before;
            try (Load load = new Load(port, "/slow?ms=5", 3)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> load.ok.get() >= 100);
                before = load.total();
                reload = cli.run("reload", "live");
                long until = load.total() + 100;
                await().atMost(Duration.ofSeconds(30)).until(() -> load.total() >= until);
                load.close();
                assertThat(reload.exit()).as(reload.all()).isZero();
                assertThat(load.failures).as("failed requests during the reload").isEmpty();
                assertThat(load.total() - before).as("requests during and after the reload").isGreaterThan(100);
                assertThat(load.bodies.keySet()).as("both generations answered").anyMatch(b -> b.contains("\"gen\":\"1\""))
                        .anyMatch(b -> b.contains("\"gen\":\"2\""));
            }
            assertThat(reload.out()).contains("reloaded live: 2 worker(s) replaced, generation 2 serving")
                    .contains("[########################] 2/2");
            JsonNode ws = ClusterIT.workers(cli, "live");
            assertThat(ws).hasSize(2).allMatch(w -> w.get("generation").asInt() == 2);
            assertThat(ws).as("a replacement keeps the instance of the worker it replaced")
                    .extracting(w -> w.get("instance").asInt()).containsExactlyInAnyOrder(0, 1);
            String env = RawHttp.get(port, "/").body();
            assertThat(env).as("the worker's environment").containsPattern("\"instance\":\"[01]\"");

            Jcluster.Result parallel = cli.run("reload", "live", "--parallel", "2");
            assertThat(parallel.out()).as(parallel.all()).contains("2 worker(s) replaced, generation 3 serving");
        }
    }

    @Test
    void aReloadWhoseNewWorkersFailToBootKeepsTheOldOnesServing() throws Exception {
        Jcluster cli = new Jcluster(home);
        Path broken = home.resolve("broken-deploy");
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("keep", 2, "--ready-timeout", "20s", "--",
                "--port", "0", "--fail-if-exists", broken.toString()))) {
            int port = primary.awaitUp();
            Set<String> oldPids = new HashSet<>();
            for (JsonNode w : ClusterIT.workers(cli, "keep")) {
                oldPids.add(w.get("pid").asText());
            }
            Files.createFile(broken);
            Jcluster.Result r;
            try (Load load = new Load(port, "/", 2)) {
                r = cli.run("reload", "keep");
                long until = load.total() + 50;
                await().atMost(Duration.ofSeconds(30)).until(() -> load.total() >= until);
                load.close();
                assertThat(load.failures).as("failed requests").isEmpty();
            }
            assertThat(r.exit()).as(r.all()).isEqualTo(ExitCode.RELOAD_FAILED.code());
            assertThat(r.err()).contains("jcluster: reload stopped: new worker 3").contains("exited (exit code 1) before it listened")
                    .contains("keep serving (2 of generation 1)");
            Set<String> now = new HashSet<>();
            for (JsonNode w : ClusterIT.workers(cli, "keep")) {
                now.add(w.get("pid").asText());
            }
            assertThat(now).isEqualTo(oldPids);
            Set<String> answering = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                answering.add(JSON.readTree(RawHttp.get(port, "/").body()).get("pid").asText());
            }
            assertThat(answering).isEqualTo(oldPids);

            Jcluster.Result restart = cli.run("restart", "keep");
            assertThat(restart.exit()).as(restart.all()).isEqualTo(ExitCode.RELOAD_FAILED.code());
            assertThat(restart.err()).contains("restart stopped: no new worker became ready");

            Files.delete(broken); // the deploy is fixed: the next reload goes through
            Jcluster.Result again = cli.run("reload", "keep");
            assertThat(again.exit()).as(again.all()).isZero();
            assertThat(ClusterIT.workers(cli, "keep")).hasSize(2).noneMatch(w -> oldPids.contains(w.get("pid").asText()));
        }
    }

    /**
     * Issue 10: the new generation of an app serving on its own port could not bind it while the old one held it;
     * the replacement died, the restart policy started another in its slot once the old one had been drained, and
     * reload said "1 worker(s) replaced, generation 2 serving".
     */
    @Test
    void aReplacementThatDiesBeforeItListensStopsTheReloadAndIsNotCounted() throws Exception {
        Jcluster cli = new Jcluster(home);
        int own = Jcluster.freePort();
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("bind", 1, "--ready-timeout", "20s", "--",
                "--port", "off", "--own-port", Integer.toString(own)))) {
            primary.await("bind is up: 1 worker");
            String oldPid = ClusterIT.workers(cli, "bind").get(0).get("pid").asText();
            Jcluster.Result r = cli.run("reload", "bind");
            assertThat(r.exit()).as(r.all()).isEqualTo(ExitCode.RELOAD_FAILED.code());
            assertThat(r.out()).as(r.all()).doesNotContain("reloaded bind");
            assertThat(r.err()).as(r.all()).contains("jcluster: reload stopped: new worker 2")
                    .contains("exited (exit code 1) before it listened")
                    .contains("now serving: worker 1 (pid " + oldPid + ", generation 1)");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ClusterIT.workers(cli, "bind"))
                    .extracting(w -> w.get("pid").asText() + "/" + w.get("generation").asInt())
                    .containsExactly(oldPid + "/1"));
            assertThat(JSON.readTree(RawHttp.get(own, "/").body()).get("pid").asText()).isEqualTo(oldPid);
            assertThat(primary.output()).contains("cannot bind its own port " + own);
        }
    }

    @Test
    void restartReplacesEveryWorkerAtOnce() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("rs", 2, "--", "--port", "0"))) {
            int port = primary.awaitUp();
            Set<String> old = new HashSet<>();
            for (JsonNode w : ClusterIT.workers(cli, "rs")) {
                old.add(w.get("pid").asText());
            }
            Jcluster.Result r = cli.run("restart", "rs");
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.out()).contains("restarted rs: 2 new worker(s) ready, 2 old one(s) killed");
            JsonNode ws = ClusterIT.workers(cli, "rs");
            assertThat(ws).hasSize(2).noneMatch(w -> old.contains(w.get("pid").asText()));
            assertThat(RawHttp.get(port, "/").status()).isEqualTo(200);
        }
    }
}
