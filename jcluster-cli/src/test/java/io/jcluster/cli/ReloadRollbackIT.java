package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcluster.contract.ExitCode;
import io.jcluster.testkit.RealProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 17: a reload that fails half-way (the first replacement boots and serves, the second fails) is rolled back:
 * the replacement that served is drained and stopped, and the old generation serves on, whole, with no request lost.
 */
@Timeout(180)
class ReloadRollbackIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void aReloadWhoseSecondReplacementFailsIsRolledBackToTheOldGeneration() throws Exception {
        Jcluster cli = new Jcluster(home);
        // Instance 1 of generation 2 exits at boot: the reload's first replacement (instance 0) boots, its second fails.
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("half", 2, "--ready-timeout", "30s",
                "--drain-timeout", "10s", "--", "--port", "0", "--fail-boot", "1:2"))) {
            int port = primary.awaitUp();
            primary.descendants();
            Set<String> oldPids = new HashSet<>();
            for (JsonNode w : ClusterIT.workers(cli, "half")) {
                oldPids.add(w.get("pid").asText());
            }
            assertThat(oldPids).hasSize(2);
            Jcluster.Result r;
            try (Load load = new Load(port, "/", 2)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> load.ok.get() >= 20);
                r = cli.run("reload", "half");
                long until = load.total() + 50;
                await().atMost(Duration.ofSeconds(30)).until(() -> load.total() >= until);
                load.close();
                assertThat(load.failures).as("failed requests during and after the failed reload").isEmpty();
            }
            primary.descendants();
            assertThat(r.exit()).as(r.all()).isEqualTo(ExitCode.RELOAD_FAILED.code());
            assertThat(r.out()).as(r.all()).doesNotContain("reloaded half");
            assertThat(r.err()).as(r.all())
                    .contains("jcluster: reload stopped: new worker 4")
                    .contains("exited (exit code 1) before it listened")
                    .contains("rolled back: 1 new worker(s) of generation 2 drained and stopped (worker 3)")
                    .contains("the old workers keep serving (2 of generation 1)")
                    .containsPattern("now serving: worker 1 \\(pid \\d+, generation 1\\), worker 2 \\(pid \\d+, generation 1\\)");

            JsonNode ws = ClusterIT.workers(cli, "half");
            assertThat(ws).as("every worker after the rollback").hasSize(2)
                    .allMatch(w -> w.get("generation").asInt() == 1);
            Set<String> now = new HashSet<>();
            ws.forEach(w -> now.add(w.get("pid").asText()));
            assertThat(now).as("the old workers, untouched").isEqualTo(oldPids);
            Set<String> answering = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                JsonNode b = JSON.readTree(RawHttp.get(port, "/").body());
                assertThat(b.get("gen").asText()).isEqualTo("1");
                answering.add(b.get("pid").asText());
            }
            assertThat(answering).isEqualTo(oldPids);
            for (String n : new String[] {"3", "4"}) {
                Matcher m = Pattern.compile("worker " + n + " \\(pid (\\d+)\\)").matcher(primary.output());
                assertThat(m.find()).as("worker " + n + " in the primary's output:\n" + primary.output()).isTrue();
                long pid = Long.parseLong(m.group(1));
                await().atMost(Duration.ofSeconds(10)).until(() -> RealProcess.gone(pid));
            }
            assertThat(primary.output()).contains("worker 3 (pid").contains("stopped (rolled back: the reload failed)");
        }
    }
}
