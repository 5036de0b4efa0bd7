package io.jcluster.cli;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/jcluster} on JDK 25 as a user runs it (java 25 first on PATH): the demo and an unmodified jar start
 * without a single JVM {@code WARNING} from the primary or a worker (native access, {@code sun.misc.Unsafe}, the
 * agent). Skipped where there is no JDK 25 ({@value #ENV_JDK25} names one).
 */
@Timeout(600)
class Jdk25IT {
    static final String ENV_JDK25 = "JCLUSTER_JDK25";
    private static final Path JDK25 = Path.of(System.getenv().getOrDefault(ENV_JDK25, "/usr/lib/jvm/temurin-25-jdk-amd64"));
    private static final Duration UP = Duration.ofSeconds(180);
    private static final Pattern ANSWER = Pattern.compile("pid=(\\d+) worker=(\\d+)");

    @TempDir
    Path home;

    @TempDir
    Path work;

    @BeforeAll
    static void jdk25() {
        Assumptions.assumeTrue(Files.isExecutable(JDK25.resolve("bin/java")), "no JDK 25 at " + JDK25 + " (" + ENV_JDK25 + ")");
    }

    /**
     * java 25 first on PATH, the agent jar in this test's own cache, and no class data archives: the first run of a
     * jar writes the primary's at its exit, which would hold {@code stop} past its wait on a loaded machine.
     */
    private Map<String, String> on25() {
        return Map.of("PATH", JDK25.resolve("bin") + ":" + System.getenv("PATH"),
                "JCLUSTER_CDS_DIR", "off", "XDG_CACHE_HOME", work.resolve("cache").toString());
    }

    @Test
    void theDemoStartsWithoutAWarning() throws Exception {
        int port = Jcluster.freePort();
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running demo = cli.startScript(on25(), List.of("demo", "--port", Integer.toString(port),
                "--workers", "2", "--name", "demo25", "--admin", "off"))) {
            long primary = Long.parseLong(demo.await("^Primary process (\\d+) is running$", UP).group(1));
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + primary + "/exe")).toString())
                    .as("the primary runs java 25").startsWith(JDK25.toRealPath().toString());
            Set<String> workers = new HashSet<>();
            workers.add(demo.await("^Worker (\\d+) started$", UP).group(1));
            workers.add(demo.await("^Worker (\\d+) started$", UP).group(1));
            Set<String> answered = new HashSet<>();
            for (int i = 0; i < 20 && answered.size() < 2; i++) {
                RawHttp r = RawHttp.get(port, "/");
                assertThat(r.status()).isEqualTo(200);
                answered.add(r.body().replaceAll("\\D", ""));
            }
            assertThat(answered).isEqualTo(workers);
            // A worker's JVM warnings come out (on the one pipe the demo's processes share) before it is online, so
            // before the primary's "Worker N started".
            assertThat(demo.output()).doesNotContain("WARNING");
        }
    }

    @Test
    void anUnmodifiedJarStartsWithoutAWarning() throws Exception {
        List<String> workers = run(new Jcluster(home), httpJar(), "unmod25");
        assertThat(workers).as("jcluster's agent, started with the JVM").allMatch(c -> c.contains("-javaagent:"));
    }

    /** Starts the jar with 2 workers, asks until both answer, stops it gracefully: the workers' command lines. */
    private List<String> run(Jcluster cli, Path jar, String name) throws Exception {
        int port = Jcluster.freePort();
        try (Jcluster.Running primary = cli.startScript(on25(), List.of("start", jar.toString(), "--name", name,
                "-i", "2", "--", "--port", Integer.toString(port)))) {
            primary.await("is up: \\d+ worker\\(s\\) listening on \\S*:" + port, UP);
            Set<Long> pids = new HashSet<>();
            long deadline = System.nanoTime() + UP.toNanos();
            while (pids.size() < 2 && System.nanoTime() < deadline) {
                Matcher m = ANSWER.matcher(RawHttp.get(port, "/").body());
                assertThat(m.find()).isTrue();
                pids.add(Long.parseLong(m.group(1)));
            }
            assertThat(pids).as(primary.output()).hasSize(2);
            List<String> cmdlines = cmdlines(pids);
            Jcluster.Result stop = cli.run("stop", name);
            assertThat(stop.exit()).as(stop.all()).isZero();
            assertThat(primary.waitExit(UP)).isZero();
            assertThat(primary.output()).doesNotContain("WARNING");
            try (Stream<Path> logs = Files.walk(home.resolve("logs"))) {
                for (Path log : logs.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(log)).as("%s", log).doesNotContain("WARNING");
                }
            }
            return cmdlines;
        }
    }

    private static List<String> cmdlines(Set<Long> pids) throws Exception {
        List<String> all = new ArrayList<>();
        for (long pid : pids) {
            all.add(Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' '));
        }
        return all;
    }

    private Path httpJar() throws IOException {
        return Jcluster.jdkHttpAppJar(work);
    }
}
