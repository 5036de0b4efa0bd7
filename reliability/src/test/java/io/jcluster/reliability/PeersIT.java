package io.jcluster.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real peers, short form: {@code reliability/peers/run.sh --short} (the hello cluster behind HAProxy and nginx,
 * with wrk, keep-alive and Connection: close, and while the workers reload; undici over the conformance
 * corpus). Skipped, saying why, only when the script cannot install a tool (exit status 3) or the CLI's jar
 * was not built (a partial reactor build).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PeersIT {
    @Test
    void theDemoBehindHaproxyAndNginxAndAStrictClientSeesNoError() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path script = root.resolve("reliability/peers/run.sh");
        assumeTrue(Files.exists(root.resolve("jcluster-cli/target/jcluster.jar")),
                "jcluster-cli/target/jcluster.jar is not built (run the whole reactor: mvn -B verify)");
        Path out = Files.createTempFile("peers", ".log");
        Process p = new ProcessBuilder("bash", script.toString(), "--short").directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(9, TimeUnit.MINUTES)) {
                throw new AssertionError("run.sh --short did not finish within 9 minutes:\n" + read(out));
            }
        } finally {
            // The script's own traps stop what it started; this stops the script itself if it hangs.
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(15, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        String log = read(out);
        System.out.println(log);
        assumeTrue(p.exitValue() != 3, () -> "skipped: " + lastLine(log));
        assertThat(p.exitValue()).as(log).isZero();
        Files.deleteIfExists(out);
    }

    private static String read(Path p) throws java.io.IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static String lastLine(String log) {
        String[] lines = log.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    static {
        // Failsafe runs in the module's directory: the project's root is its parent.
        assert new File("pom.xml").exists();
    }
}
