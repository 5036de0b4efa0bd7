package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
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
 * agent), and the unmodified jar's workers get an AOT cache: the first worker records, and once it has stopped
 * the next run's workers map the assembled cache. Skipped where there is no JDK 25 ({@value #ENV_JDK25} names one).
 */
@Timeout(900)
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

    /** java 25 first on PATH, and the caches (agent jar, class data, or none) in this test's own directory. */
    private Map<String, String> on25(String cds) {
        return Map.of("PATH", JDK25.resolve("bin") + ":" + System.getenv("PATH"),
                "JCLUSTER_CDS_DIR", cds, "XDG_CACHE_HOME", work.resolve("cache").toString());
    }

    @Test
    void theDemoStartsWithoutAWarning() throws Exception {
        int port = Jcluster.freePort();
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running demo = cli.startScript(on25("off"), List.of("demo", "--port", Integer.toString(port),
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
    void anUnmodifiedJarStartsWithoutAWarningAndItsWorkersGetAnAotCache() throws Exception {
        Path jar = httpJar();
        Jcluster cli = new Jcluster(home);
        Path cds = work.resolve("cds");

        List<String> first = run(cli, jar, "unmod25a");
        assertThat(first).as("one worker trains the cache").anyMatch(c -> c.contains("-XX:AOTMode=record"));
        org.awaitility.Awaitility.await("the workers' AOT cache assembled in " + cds).atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(250)).until(() -> workersCache(cds) != null);

        Path cache = workersCache(cds);
        List<String> second = run(cli, jar, "unmod25b");
        assertThat(second).as("every worker maps the cache")
                .allMatch(c -> c.contains("-XX:AOTCache=" + cache) && c.contains("[mapped: " + cache + "]"));
    }

    /** Starts the jar with 2 workers, asks until both answer, stops it gracefully: the workers' command lines. */
    private List<String> run(Jcluster cli, Path jar, String name) throws Exception {
        int port = Jcluster.freePort();
        try (Jcluster.Running primary = cli.startScript(on25(work.resolve("cds").toString()), List.of("start", jar.toString(), "--name", name,
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
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            // the JVM maps an AOT cache it accepted; one it rejects (a mismatch) is only opened and closed
            List<String> mapped = Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
                    .filter(l -> l.endsWith(".aot")).map(l -> l.substring(l.lastIndexOf(' ') + 1)).distinct().toList();
            all.add(cmdline + " " + mapped.stream().map(m -> "[mapped: " + m + "]").reduce("", String::concat));
        }
        return all;
    }

    private static Path workersCache(Path cds) throws Exception {
        if (!Files.isDirectory(cds)) {
            return null;
        }
        try (Stream<Path> files = Files.list(cds)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".aot")).findFirst().orElse(null);
        }
    }

    /** The JDK HttpServer app as a jar of its own (as {@link UnmodifiedAppIT} builds it). */
    private Path httpJar() throws Exception {
        Path jar = work.resolve("http-app.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "unmodified.JdkHttpApp");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.putNextEntry(new JarEntry("unmodified/JdkHttpApp.class"));
            out.write(Files.readAllBytes(Jcluster.TEST_CLASSES.resolve("unmodified/JdkHttpApp.class")));
            out.closeEntry();
        }
        return jar;
    }
}
