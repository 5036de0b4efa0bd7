package io.jcluster.cli;

import io.jcluster.contract.ExitCode;
import io.jcluster.testkit.RealProcess;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jcluster demo} as a user runs it: the seed's lines, the seed's answers, high availability. */
@Timeout(120)
class DemoIT {
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path home;

    private Jcluster cli() {
        return new Jcluster(home);
    }

    @Test
    void clusterPrintsTheSeedsLinesAndServesRoundRobin() throws Exception {
        int port = Jcluster.freePort();
        try (Jcluster.Running demo = cli().start(List.of("demo", "--port", Integer.toString(port), "--workers", "2"))) {
            long primary = Long.parseLong(demo.await("^Primary process (\\d+) is running$").group(1));
            assertThat(primary).isEqualTo(demo.process.pid());
            Set<String> started = new HashSet<>();
            started.add(demo.await("^Worker (\\d+) started$").group(1));
            started.add(demo.await("^Worker (\\d+) started$").group(1));

            List<String> pids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                // a new connection each time, like repeated curl
                RawHttp r = get(port);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.headers().get("content-type")).startsWith("application/json");
                assertThat(r.body()).matches("\\{\"message\":\"Hello from worker \\d+\"}");
                pids.add(r.body().replaceAll("\\D", ""));
            }
            assertThat(new HashSet<>(pids)).isEqualTo(started);
            for (int i = 1; i < pids.size(); i++) {
                assertThat(pids.get(i)).as("round-robin: each answer from the other worker").isNotEqualTo(pids.get(i - 1));
            }
        }
    }

    @Test
    void aKilledWorkerDiesLoudlyAndIsReplaced() throws Exception {
        int port = Jcluster.freePort();
        try (Jcluster.Running demo = cli().start(List.of("demo", "--port", Integer.toString(port), "--workers", "2"))) {
            String victim = demo.await("^Worker (\\d+) started$").group(1);
            String other = demo.await("^Worker (\\d+) started$").group(1);
            RealProcess.signal(Long.parseLong(victim), "9");
            demo.await("^Worker " + victim + " died$");
            String replacement = demo.await("^Worker (\\d+) started$").group(1);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                seen.add(get(port).body().replaceAll("\\D", ""));
            }
            assertThat(seen).containsExactlyInAnyOrder(other, replacement);
        }
    }

    @Test
    void ctrlCStopsEverythingAndLeavesNoProcess() throws Exception {
        int port = Jcluster.freePort();
        try (Jcluster.Running demo = cli().start(List.of("demo", "--port", Integer.toString(port), "--workers", "2"))) {
            demo.await("^Worker (\\d+) started$");
            demo.await("^Worker (\\d+) started$");
            List<ProcessHandle> workers = demo.descendants();
            assertThat(workers).hasSize(2);
            assertThat(get(port).status()).isEqualTo(200);
            demo.signal("INT");
            assertThat(demo.process.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.process.exitValue()).isZero();
            for (ProcessHandle w : workers) {
                w.onExit().get(10, TimeUnit.SECONDS);
            }
            try (ServerSocket again = new ServerSocket(port)) {
                assertThat(again.getLocalPort()).as("the port is free again").isEqualTo(port);
            }
        }
    }

    @Test
    void singleIsTheSeedsFirstStep() throws Exception {
        int port = Jcluster.freePort();
        try (Jcluster.Running demo = cli().start(List.of("demo", "--single", "--port", Integer.toString(port)))) {
            demo.await("^Server started on port " + port + "$");
            RawHttp r = get(port);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"message\":\"Hello from Express server\"}");
            assertThat(demo.descendants()).isEmpty();
        }
    }

    @Test
    void aPortInUseIsAClearErrorAndExitStatusOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0);
             Jcluster.Running demo = cli().start(List.of("demo", "--port", Integer.toString(taken.getLocalPort()), "--workers", "2"))) {
            demo.await("Error: .*EADDRINUSE.*" + taken.getLocalPort());
            assertThat(demo.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.process.exitValue()).isEqualTo(1);
        }
    }

    @Test
    void badArgumentsAreUsageErrors() throws Exception {
        try (Jcluster.Running bad = cli().start(List.of("demo", "--workers", "0"))) {
            bad.await("--workers must be at least 1");
            assertThat(bad.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(bad.process.exitValue()).isEqualTo(ExitCode.USAGE.code());
        }
        try (Jcluster.Running bad = cli().start(List.of("no-such-command"))) {
            bad.await("Unmatched argument.*no-such-command");
            assertThat(bad.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(bad.process.exitValue()).isEqualTo(ExitCode.USAGE.code());
        }
    }

    @Test
    void workersStartFromAClassDataArchiveAfterTheFirstRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cds)
            throws Exception {
        java.util.Map<String, String> env = java.util.Map.of("JCLUSTER_CDS_DIR", cds.toString());
        int port = Jcluster.freePort();
        try (Jcluster.Running first = cli().start(env, List.of("demo", "--port", Integer.toString(port), "--workers", "1"))) {
            String pid = first.await("^Worker (\\d+) started$").group(1);
            assertThat(cmdline(pid)).contains("-XX:ArchiveClassesAtExit=" + cds);
            first.signal("INT");
            assertThat(first.process.waitFor(40, TimeUnit.SECONDS)).isTrue();
            assertThat(first.output()).contains("Worker " + pid + " died");
        }
        try (var files = java.nio.file.Files.list(cds)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).singleElement().asString().endsWith(".jsa");
        }
        try (Jcluster.Running second = cli().start(env, List.of("demo", "--port", Integer.toString(port), "--workers", "1"))) {
            String pid = second.await("^Worker (\\d+) started$").group(1);
            assertThat(cmdline(pid)).contains("-XX:SharedArchiveFile=" + cds);
            assertThat(get(port).body()).isEqualTo("{\"message\":\"Hello from worker " + pid + "\"}");
        }
    }

    @Test
    void binJclusterRunsTheDemoOnAFreshMachineThenStartsFromItsArchive(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache)
            throws Exception {
        java.nio.file.Path cds = cache.resolve("cds");
        java.util.Map<String, String> env = java.util.Map.of("JCLUSTER_CDS_DIR", cds.toString(),
                "XDG_CACHE_HOME", cache.toString());
        int port = Jcluster.freePort();
        List<String> args = List.of("demo", "--port", Integer.toString(port), "--workers", "1");
        try (Jcluster.Running first = cli().startScript(env, args)) {
            String pid = first.await("^Worker (\\d+) started$").group(1);
            assertThat(get(port).body()).isEqualTo("{\"message\":\"Hello from worker " + pid + "\"}");
            // The first run waits for its java to write the primary's archive; Ctrl-C reaches that java.
            ProcessHandle primary = first.process.children().findFirst().orElseThrow();
            RealProcess.signal(primary.pid(), "INT");
            assertThat(first.waitExit(Duration.ofSeconds(40))).isZero();
        }
        try (var files = java.nio.file.Files.list(cds)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("cli-") && n.endsWith(".jsa"));
        }
        try (Jcluster.Running second = cli().startScript(env, args)) {
            String pid = second.await("^Worker (\\d+) started$").group(1);
            assertThat(cmdline(Long.toString(second.process.pid()))).contains("-XX:SharedArchiveFile=" + cds.resolve("cli-"));
            assertThat(get(port).body()).isEqualTo("{\"message\":\"Hello from worker " + pid + "\"}");
            second.signal("INT");
            assertThat(second.waitExit(Duration.ofSeconds(40))).isZero();
        }
    }

    private static String cmdline(String pid) throws java.io.IOException {
        return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
    }

    private static RawHttp get(int port) throws Exception {
        return RawHttp.get(port, "/");
    }
}
