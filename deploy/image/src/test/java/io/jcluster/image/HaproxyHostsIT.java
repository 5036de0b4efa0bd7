package io.jcluster.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The short form of {@code deploy/haproxy/run.sh}: three hosts (network namespaces) each running
 * {@code bin/jcluster start} of the demo, a real HAProxy in front with health checks on /readyz, and wrk through it
 * while one host gets SIGTERM, every host is reloaded, and one host's link goes down. The script checks its own
 * goals (0 failed requests for SIGTERM and reload; failures only in the health-check window for a lost host) and
 * exits 1 when one is missed; it removes every namespace and process it made.
 */
class HaproxyHostsIT {
    @Test
    void threeHostsBehindHaproxySurviveSigtermReloadAndTheLossOfOne() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        Path script = Path.of("..", "haproxy", "run.sh").toAbsolutePath().normalize();
        Path out = Path.of("target", "haproxy-hosts.txt").toAbsolutePath();
        Process p = new ProcessBuilder("bash", script.toString(), "--quick", "--workers", "1")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(12, TimeUnit.MINUTES)).as("run.sh finished within 12 minutes").isTrue();
        } finally {
            if (p.isAlive()) {
                p.destroy(); // TERM: the script's trap removes its namespaces and processes
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(p.exitValue()).as("run.sh's goals; its output:\n%s", output).isZero();
        assertThat(output).contains("| SIGTERM to one host's primary |", "| rolling reload of 3 hosts", "| one host's link down")
                .doesNotContain("[MISSED]");
    }
}
