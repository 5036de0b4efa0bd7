package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcluster.contract.ExitCode;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applications that know nothing of jcluster ({@code src/test/java/unmodified}: the JDK's HttpServer, a plain
 * Netty epoll server, a plain Netty io_uring server), run by the real CLI: the agent serves their own binds from the primary.
 */
class UnmodifiedAppIT {
    private static final Pattern ANSWER = Pattern.compile("pid=(\\d+) worker=(\\d+)");
    private static final Duration UP = Duration.ofSeconds(120);

    @TempDir
    Path home;

    @TempDir
    Path apps;

    private Path httpJar() throws IOException {
        return Jcluster.jdkHttpAppJar(apps);
    }

    /** The Netty app's classpath: its classes in a directory of their own, then this JVM's Netty jars. */
    private String nettyClasspath() throws IOException {
        Path dir = apps.resolve("netty-app/unmodified");
        Files.createDirectories(dir);
        try (var classes = Files.list(Jcluster.TEST_CLASSES.resolve("unmodified"))) {
            for (Path c : classes.toList()) {
                Files.copy(c, dir.resolve(c.getFileName()));
            }
        }
        List<String> cp = new ArrayList<>(List.of(dir.getParent().toString()));
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.contains("/io/netty/")) {
                cp.add(e);
            }
        }
        return String.join(java.io.File.pathSeparator, cp);
    }

    /** GETs until {@code want} distinct workers answered (or the deadline): their pids. */
    private static Set<Long> pids(int port, int want, Duration within) throws Exception {
        Set<Long> pids = new HashSet<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (pids.size() < want && System.nanoTime() < deadline) {
            Matcher m = ANSWER.matcher(RawHttp.get(port, "/").body());
            assertThat(m.find()).isTrue();
            pids.add(Long.parseLong(m.group(1)));
        }
        return pids;
    }


    /**
     * The agent counts the connections an unmodified server accepts: after {@code n} more new connections, the
     * workers' {@code acceptedConnections} in {@code status --json} (reported once a second) add up to at least n,
     * and {@code status} shows them under CONNS.
     */
    private static void acceptedAreCounted(Jcluster cli, String name, int port) throws Exception {
        int n = 20;
        for (int i = 0; i < n; i++) {
            RawHttp.get(port, "/");
        }
        org.awaitility.Awaitility.await("accepted connections in status --json").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    String json = cli.run("status", name, "--json").out();
                    long total = 0;
                    for (JsonNode w : new ObjectMapper().readTree(json).path("workers")) {
                        total += w.path("acceptedConnections").asLong(0);
                    }
                    assertThat(total).as("accepted connections in status --json: %s", json).isGreaterThanOrEqualTo(n);
                });
        // The table shows them under CONNS, marked, with the legend saying what they count (REQUESTS stays 0).
        String table = cli.run("status", name).out();
        assertThat(table).as(table).containsPattern("(?m)^\\d+\\s+\\d+\\s+listening\\s.*\\s[1-9]\\d*\\*\\s+0$")
                .contains(StatusCommand.ACCEPTED_LEGEND);
    }

    @Test
    void anUnmodifiedJdkHttpServerJarServesOnePortFromTwoWorkersAndSurvivesAKill() throws Exception {
        Jcluster cli = new Jcluster(home);
        int port = Jcluster.freePort();
        try (Jcluster.Running primary = cli.start(List.of("start", httpJar().toString(), "--name", "plain", "-i", "2",
                "--", "--port", Integer.toString(port)))) {
            assertThat(primary.awaitUp()).isEqualTo(port);
            assertThat(primary.output()).contains("http-app.jar runs as it is, with jcluster's agent");
            Set<Long> pids = pids(port, 2, Duration.ofSeconds(20));
            assertThat(pids).as(primary.output()).hasSize(2);
            // Each worker's UDP socket and client socket were bound by the kernel, not served by the primary.
            primary.awaitLines("untouched: udp bound to \\d+, client bound to \\d+ and connected to " + port, 2, UP);
            assertThat(primary.output()).doesNotContainPattern("listening on \\S+:(?!" + port + ")\\d+")
                    .doesNotContain("WARNING");
            acceptedAreCounted(cli, "plain", port);

            long victim = pids.iterator().next();
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            primary.await("\\(pid " + victim + "\\) died", UP);
            primary.await("worker \\d+ \\(pid \\d+\\) restarts worker slot", UP);
            Set<Long> after = pids(port, 2, UP);
            assertThat(after).as("a replacement answers").hasSize(2).doesNotContain(victim);

            Jcluster.Result stop = cli.run("stop", "plain");
            assertThat(stop.exit()).as(stop.all()).isZero();
            assertThat(primary.waitExit(Duration.ofSeconds(60))).isZero();
            assertThat(primary.process.descendants().filter(ProcessHandle::isAlive).toList()).isEmpty();
            for (long pid : after) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("worker %d", pid).isFalse();
            }
        }
    }

    @Test
    void anUnmodifiedNettyEpollServerServesOnePortFromTwoWorkers() throws Exception {
        Jcluster cli = new Jcluster(home);
        int port = Jcluster.freePort();
        try (Jcluster.Running primary = cli.start(List.of("start", "--name", "netty", "-i", "2", "--main-class",
                "unmodified.NettyApp", "--classpath", nettyClasspath(), "--", "--port", Integer.toString(port)))) {
            assertThat(primary.awaitUp()).isEqualTo(port);
            assertThat(primary.output()).contains("serving on /127.0.0.1:" + port + " with EpollServerSocketChannel");
            assertThat(pids(port, 2, Duration.ofSeconds(20))).as(primary.output()).hasSize(2);
            primary.awaitLines("untouched: udp bound to \\d+, client bound to \\d+ and connected to " + port, 2, UP);
            acceptedAreCounted(cli, "netty", port);
            Jcluster.Result stop = cli.run("stop", "netty");
            assertThat(stop.exit()).as(stop.all()).isZero();
            assertThat(primary.waitExit(Duration.ofSeconds(60))).isZero();
            assertThat(primary.process.descendants().filter(ProcessHandle::isAlive).toList()).isEmpty();
        }
    }

    /**
     * Netty's io_uring transport (its defaults: a multishot accept on this kernel) in two workers: both take new
     * connections (before the agent turned the multishot accept off, the worker whose accept was armed first took
     * every one: frameworks/FINDINGS.md F5), and its accepts are counted.
     */
    @Test
    void twoUnmodifiedNettyIoUringServersShareNewConnections() throws Exception {
        Assumptions.assumeTrue(IoUring.isAvailable(), () -> "no io_uring here: " + IoUring.unavailabilityCause());
        Jcluster cli = new Jcluster(home);
        int port = Jcluster.freePort();
        // A generous --ready-timeout: under a load average of 40 on 2 cores an agent worker took over 60 s to listen.
        try (Jcluster.Running primary = cli.start(List.of("start", "--name", "uring", "-i", "2", "--ready-timeout", "240s",
                "--main-class", "unmodified.NettyUringApp", "--classpath", nettyClasspath(),
                "--", "--port", Integer.toString(port)))) {
            assertThat(primary.await("is up: \\d+ worker\\(s\\) listening on \\S*:(\\d+)", Duration.ofSeconds(270))
                    .group(1)).isEqualTo(Integer.toString(port));
            primary.awaitLines("serving on /127.0.0.1:" + port + " with IoUringServerSocketChannel", 2, UP);
            int n = 200;
            Map<Long, Integer> shares = new HashMap<>();
            for (int i = 0; i < n; i++) {
                Matcher m = ANSWER.matcher(RawHttp.get(port, "/").body());
                assertThat(m.find()).isTrue();
                shares.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
            }
            // One after another, the workers' accepts take turns (~50 % each); a loaded host may delay a re-arm.
            assertThat(shares).as("pid -> connections of %d new ones", n).hasSize(2);
            assertThat(shares.values()).as("pid -> connections: %s", shares).allSatisfy(c -> assertThat(c).isGreaterThanOrEqualTo(n / 10));
            acceptedAreCounted(cli, "uring", port);
            Jcluster.Result stop = cli.run("stop", "uring");
            assertThat(stop.exit()).as(stop.all()).isZero();
            assertThat(primary.waitExit(Duration.ofSeconds(60))).isZero();
            assertThat(primary.process.descendants().filter(ProcessHandle::isAlive).toList()).isEmpty();
        }
    }

    @Test
    void aPortInUseFailsTheAppsOwnBindAndTheStartWithExitSeven() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            try (Jcluster.Running primary = cli.start(List.of("start", httpJar().toString(), "--name", "taken", "-i", "1",
                    "--", "--port", Integer.toString(port)))) {
                // Both, in whichever order they reach the primary's output: the app's own report and the CLI's.
                org.awaitility.Awaitility.await().atMost(UP).pollInterval(Duration.ofMillis(50)).until(() ->
                        primary.output().contains("app's own error path: java.net.BindException: Address already in use")
                                && primary.output().contains("failed to start: port " + port + " is in use"));
                int exit = primary.waitExit(UP);
                String out = primary.output();
                assertThat(out).contains("app's own error path: java.net.BindException: Address already in use")
                        .contains("port " + port + " is in use");
                assertThat(exit).as(out).isEqualTo(ExitCode.PORT_IN_USE.code()).isEqualTo(7);
            }
        }
    }
}
