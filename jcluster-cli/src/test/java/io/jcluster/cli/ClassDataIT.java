package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Class data for the workers of an unmodified jar (the agent path): the first worker lists its classes, a JVM
 * without the agent dumps a static archive of them, and a later worker maps it; nothing warns.
 */
class ClassDataIT {
    private static final Pattern PID = Pattern.compile("pid=(\\d+)");
    private static final Duration LONG = Duration.ofSeconds(120);

    @TempDir
    Path home;

    @TempDir
    Path apps;

    @TempDir
    Path cds;

    private Path httpJar() throws IOException {
        return Jcluster.jdkHttpAppJar(apps);
    }

    private static long pid(int port) throws Exception {
        Matcher m = PID.matcher(RawHttp.get(port, "/").body());
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private List<Path> archives() throws IOException {
        try (var files = Files.list(cds)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
        }
    }

    @Test
    void aLaterWorkerOfAnUnmodifiedJarMapsTheStaticArchiveMadeFromTheFirstOnesClassList() throws Exception {
        Jcluster cli = new Jcluster(home);
        int port = Jcluster.freePort();
        try (Jcluster.Running primary = cli.start(Map.of("JCLUSTER_CDS_DIR", cds.toString()), List.of("start",
                httpJar().toString(), "--name", "cds", "-i", "1", "--", "--port", Integer.toString(port)))) {
            assertThat(primary.awaitUp()).isEqualTo(port);
            long first = pid(port);
            Awaitility.await("the static archive in " + cds).atMost(LONG).pollInterval(Duration.ofMillis(200))
                    .until(() -> archives().size() == 1);
            Path archive = archives().get(0);
            assertThat(Files.readString(Path.of("/proc/" + first + "/maps"))).as("the first worker runs without it")
                    .doesNotContain(archive.toString());

            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            primary.await("worker \\d+ \\(pid \\d+\\) restarts worker slot", LONG);
            long[] next = new long[1];
            Awaitility.await("a replacement answers").atMost(LONG).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions().until(() -> (next[0] = pid(port)) != first);
            assertThat(Files.readString(Path.of("/proc/" + next[0] + "/maps"))).as("the replacement maps the archive")
                    .contains(archive.toString());
            try (var files = Files.list(cds)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("no class list or partial file is left")
                        .containsExactly(archive.getFileName().toString());
            }

            Jcluster.Result stop = cli.run("stop", "cds");
            assertThat(stop.exit()).as(stop.all()).isZero();
            assertThat(primary.waitExit(Duration.ofSeconds(60))).isZero();
            assertThat(primary.output()).doesNotContain("WARNING").doesNotContainPattern("(?i)\\[(warning|error)\\]\\[cds");
        }
    }
}
