package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's "bad input", on real processes through the real CLI: unmodified applications
 * ({@code src/test/java/unmodified}, no jcluster dependency) that bind and exit, never bind, bind two ports, serve
 * raw TCP, bind port 0, or bind {@code ::1}. Each application is one jar, built once for the class.
 */
class BadInputIT {
    private static final Duration UP = Duration.ofSeconds(120);
    private static final Pattern ANSWER = Pattern.compile("^pid=(\\d+) ");

    @TempDir
    static Path apps;

    @TempDir
    Path home;

    private static Path bindThenExit;
    private static Path neverBinds;
    private static Path twoPorts;
    private static Path lineServer;

    @BeforeAll
    static void jars() throws IOException {
        bindThenExit = jar("BindThenExitApp");
        neverBinds = jar("NeverBindsApp");
        twoPorts = jar("TwoPortsApp");
        lineServer = jar("LineServerApp");
    }

    /** {@code unmodified.SIMPLENAME} as a jar of its own (Main-Class), without jcluster or the other test classes. */
    private static Path jar(String simpleName) throws IOException {
        Path jar = apps.resolve(simpleName + ".jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "unmodified." + simpleName);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            try (var classes = Files.list(Jcluster.TEST_CLASSES.resolve("unmodified"))) {
                for (Path c : classes.toList()) { // the class and its nested ones
                    String n = c.getFileName().toString();
                    if (n.equals(simpleName + ".class") || n.startsWith(simpleName + "$")) {
                        out.putNextEntry(new JarEntry("unmodified/" + n));
                        out.write(Files.readAllBytes(c));
                        out.closeEntry();
                    }
                }
            }
        }
        return jar;
    }

    /** Waits until the primary's output holds {@code n} lines matching {@code regex}, wherever they are; returns them. */

    /** One line sent on a new connection to {@code host:port}, and the line answered. */
    private static String ask(InetAddress host, int port, String line) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            if (line != null) {
                new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8).println(line);
            }
            String answer = in.readLine();
            assertThat(answer).as("the answer on %s:%d", host, port).isNotNull();
            return answer;
        }
    }

    /** New connections (at most 200, within 60 s) until {@code want} distinct pids answered: those pids. */
    private static Set<Long> pids(InetAddress host, int port, String line, String expect, int want) throws IOException {
        Set<Long> pids = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int i = 0; i < 200 && pids.size() < want && System.nanoTime() < deadline; i++) {
            String a = ask(host, port, line);
            assertThat(a).contains(expect);
            Matcher m = ANSWER.matcher(a);
            assertThat(m.find()).as(a).isTrue();
            pids.add(Long.parseLong(m.group(1)));
        }
        return pids;
    }

    /** {@code stop NAME} returns 0, the primary exits 0, and none of its processes is left. */
    private static void stopLeavesNothing(Jcluster cli, Jcluster.Running primary, String name, List<ProcessHandle> workers)
            throws Exception {
        Jcluster.Result stop = cli.run("stop", name);
        assertThat(stop.exit()).as(stop.all()).isZero();
        assertThat(primary.waitExit(Duration.ofSeconds(60))).as(primary.output()).isZero();
        assertThat(primary.process.descendants().filter(ProcessHandle::isAlive).toList()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(workers)
                .as("the workers after stop").noneMatch(ProcessHandle::isAlive));
    }

    private static List<ProcessHandle> workers(Jcluster.Running primary, int n) {
        await().atMost(UP).until(() -> primary.descendants().size() >= n);
        return List.copyOf(primary.descendants());
    }

    /**
     * Case 1. The app binds, then exits 0. Its bind counts as listening, so the start is up; then each exit is a
     * death the restart policy answers with a restart into the same slot, until the crash loop limit: the core gives
     * the slot up, and with no worker left the primary exits with status 1, saying why.
     */
    @Test
    void anAppThatBindsAndExitsIsRestartedUntilTheCrashLoopStopsTheClusterWithStatusOne() throws Exception {
        Jcluster cli = new Jcluster(home);
        int port = Jcluster.freePort();
        try (Jcluster.Running primary = cli.start(List.of("start", bindThenExit.toString(), "--name", "exits", "-i", "1",
                "--restart-delay", "100ms", "--restart-backoff", "1", "--max-restarts", "3", "--restart-window", "60s",
                "--", "--port", Integer.toString(port)))) {
            assertThat(primary.awaitUp()).isEqualTo(port);
            int exit = primary.waitExit(UP);
            String out = primary.output();
            assertThat(exit).as(out).isEqualTo(1);
            assertThat(out).contains("worker 1 (pid ").contains(") listening on 127.0.0.1:" + port)
                    .containsPattern("\\[worker 1 \\d+\\] bound to port " + port + "; exiting")
                    .containsPattern("worker 1 \\(pid \\d+\\) died: exit code 0; the restart policy replaces it")
                    .containsPattern("worker 2 \\(pid \\d+\\) restarts worker slot 1 \\(restart 1\\)")
                    .containsPattern("worker 3 \\(pid \\d+\\) restarts worker slot 1 \\(restart 2\\)")
                    .containsPattern("worker 4 \\(pid \\d+\\) restarts worker slot 1 \\(restart 3\\)")
                    .doesNotContainPattern("worker 5 \\(pid")
                    .containsPattern("worker 4 \\(pid \\d+\\) exited with exit code 0; not restarting worker slot 1: "
                            + "crash loop: 4 exits within 60 s \\(restart limit 3\\)")
                    .contains("no worker can run; the primary exits with status 1")
                    .containsPattern("\\[primary \\d+\\] .*gave up on worker slot 1 \\(worker 4 \\(pid \\d+\\) exited with "
                            + "exit code 0; crash loop: 4 exits within 60 s \\(restart limit 3\\)\\); the other workers keep "
                            + "serving, and with none left the cluster stops with exit status 1");
            assertThat(out.lines().filter(l -> l.matches(".*\\[worker \\d+ \\d+\\] bound to port " + port + "; exiting")))
                    .hasSize(4);
            assertThat(home.resolve("exits.json")).as("the registry entry is removed").doesNotExist();
            assertThat(primary.process.descendants().filter(ProcessHandle::isAlive).toList()).isEmpty();
        }
    }

    /**
     * Case 2. The app never binds. With {@code --ready-timeout 3s} the start warns about each worker and keeps it
     * running, naming the port the arguments told the application to bind when they name one; {@code stop} ends
     * them all.
     */
    @Test
    void anAppThatNeverBindsIsNamedAfterTheReadyTimeoutWithThePortItWasToldAndStopEndsIt() throws Exception {
        int port = Jcluster.freePort();
        // The three clusters (names apart, nothing binds) run at once: their ready timeouts overlap.
        ExecutorService three = Executors.newFixedThreadPool(3);
        try {
            List<Future<Void>> runs = three.invokeAll(List.of(
                    () -> neverBinds("nothing", List.of("--mode", "idle"), ""),
                    () -> neverBinds("spring", List.of("--server.port=" + port),
                            " (the application was expected to bind port " + port + " (--server.port=" + port + "))"),
                    () -> neverBinds("port", List.of("--port", Integer.toString(port)),
                            " (the application was expected to bind port " + port + " (--port " + port + "))")));
            for (Future<Void> run : runs) {
                try {
                    run.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception x) {
                        throw x;
                    }
                    throw new AssertionError(e.getCause());
                }
            }
        } finally {
            three.shutdownNow();
        }
    }

    private Void neverBinds(String name, List<String> args, String expected) throws Exception {
        Jcluster cli = new Jcluster(home);
        List<String> cmd = new ArrayList<>(List.of("start", neverBinds.toString(), "--name", name, "-i", "2",
                "--ready-timeout", "3s", "--"));
        cmd.addAll(args);
        try (Jcluster.Running primary = cli.start(cmd)) {
            // Not online yet after 3 s on a loaded machine, or online and not listening: the warning says which.
            String warning = "\\[primary \\d+\\] worker (\\d+) \\(pid (\\d+)\\) is (?:not online|online but not listening) "
                    + "after 3s; it keeps running" + Pattern.quote(expected) + "$";
            primary.await("is up: 2 worker\\(s\\); 'jcluster status " + name + "' shows them", UP);
            List<String> warnings = primary.awaitLines(warning, 2, UP);
            assertThat(warnings).as(primary.output()).hasSize(2);
            Set<String> ids = new HashSet<>();
            for (String w : warnings) {
                Matcher m = Pattern.compile(warning).matcher(w);
                assertThat(m.find()).isTrue();
                ids.add(m.group(1));
            }
            assertThat(ids).containsExactlyInAnyOrder("1", "2");
            assertThat(primary.output()).doesNotContain("listening on");
            if (expected.isEmpty()) {
                assertThat(primary.output()).doesNotContain("expected to bind");
            }
            // the application's main runs, blocked forever, in both workers
            primary.awaitLines("\\[worker [12] \\d+\\] never binding; args " + Pattern.quote(String.join(" ", args)), 2, UP);
            stopLeavesNothing(cli, primary, name, workers(primary, 2));
        }
        return null;
    }

    /** Case 3. Two ports, each a ServerSocketChannel (one under a selector, one blocking): both workers answer on each. */
    @Test
    void anAppThatBindsTwoPortsServesBothFromBothWorkers() throws Exception {
        Jcluster cli = new Jcluster(home);
        int a = Jcluster.freePort();
        int b = Jcluster.freePort();
        while (b == a) {
            b = Jcluster.freePort();
        }
        try (Jcluster.Running primary = cli.start(List.of("start", twoPorts.toString(), "--name", "two", "-i", "2",
                "--", "--port", Integer.toString(a), "--admin-port", Integer.toString(b)))) {
            primary.awaitUp();
            List<ProcessHandle> workers = workers(primary, 2);
            // The start is up at each worker's first listen; the app's second bind may come just after it. Each
            // address is announced once, in the 'is up' line or in a 'listening on' line after it.
            primary.awaitLines("listening on .*127\\.0\\.0\\.1:" + a + "\\b", 1, UP);
            primary.awaitLines("listening on .*127\\.0\\.0\\.1:" + b + "\\b", 1, UP);
            primary.awaitLines("serving on /127.0.0.1:" + a + " \\(selector\\) and /127.0.0.1:" + b + " \\(blocking\\)", 2, UP);
            InetAddress lo = InetAddress.getLoopbackAddress();
            Set<Long> onA = pids(lo, a, null, "port=" + a, 2);
            Set<Long> onB = pids(lo, b, null, "port=" + b, 2);
            assertThat(onA).as("pids on port %d: %s", a, primary.output()).hasSize(2);
            assertThat(onB).as("pids on port %d: %s", b, primary.output()).isEqualTo(onA);
            stopLeavesNothing(cli, primary, "two", workers);
        }
    }

    /** Case 4. A raw TCP line server on a blocking ServerSocket: both workers answer on one port. */
    @Test
    void aRawTcpLineServerServesOnePortFromTwoWorkers() throws Exception {
        Jcluster cli = new Jcluster(home);
        int port = Jcluster.freePort();
        try (Jcluster.Running primary = cli.start(List.of("start", lineServer.toString(), "--name", "lines", "-i", "2",
                "--", "--host", "127.0.0.1", "--port", Integer.toString(port)))) {
            assertThat(primary.awaitUp()).isEqualTo(port);
            List<ProcessHandle> workers = workers(primary, 2);
            primary.awaitLines("line server bound to port " + port + " on 127.0.0.1", 2, UP);
            Set<Long> pids = pids(InetAddress.getLoopbackAddress(), port, "hello", " echo=hello", 2);
            assertThat(pids).as(primary.output()).hasSize(2);
            stopLeavesNothing(cli, primary, "lines", workers);
        }
    }

    /** Case 5. Port 0: the primary binds it once, so both workers get the same port, the one "listening on" shows. */
    @Test
    void portZeroGivesEveryWorkerTheSamePort() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(List.of("start", lineServer.toString(), "--name", "zero", "-i", "2",
                "--", "--host", "127.0.0.1", "--port", "0"))) {
            int port = primary.awaitUp();
            assertThat(port).isPositive();
            List<ProcessHandle> workers = workers(primary, 2);
            List<String> bound = primary.awaitLines("\\[worker \\d+ \\d+\\] line server bound to port \\d+ on 127.0.0.1", 2, UP);
            assertThat(bound).as(primary.output()).hasSize(2)
                    .allMatch(l -> l.endsWith("line server bound to port " + port + " on 127.0.0.1"));
            assertThat(primary.output()).containsPattern("(?m)worker 1 \\(pid \\d+\\) listening on 127.0.0.1:" + port + "$")
                    .containsPattern("(?m)worker 2 \\(pid \\d+\\) listening on 127.0.0.1:" + port + "$")
                    .contains("is up: 2 worker(s) listening on 127.0.0.1:" + port + ";");
            assertThat(pids(InetAddress.getLoopbackAddress(), port, "zero", " echo=zero", 2)).as(primary.output()).hasSize(2);
            stopLeavesNothing(cli, primary, "zero", workers);
        }
    }

    /** Case 6. The IPv6 loopback, {@code ::1}, when this machine has it. */
    @Test
    void anIpv6LoopbackServerServesFromTwoWorkers() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        int port;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(v6, 0));
            port = probe.getLocalPort();
        } catch (IOException e) {
            String why = "the IPv6 loopback ::1 cannot be bound here (" + e + "): skipped";
            System.out.println(why);
            Assumptions.abort(why);
            return;
        }
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(List.of("start", lineServer.toString(), "--name", "six", "-i", "2",
                "--", "--host", "::1", "--port", Integer.toString(port)))) {
            assertThat(primary.awaitUp()).isEqualTo(port);
            List<ProcessHandle> workers = workers(primary, 2);
            assertThat(primary.output()).containsPattern("(?m)worker 1 \\(pid \\d+\\) listening on \\[::1\\]:" + port + "$")
                    .contains("is up: 2 worker(s) listening on [::1]:" + port + ";");
            primary.awaitLines("line server bound to port " + port + " on 0:0:0:0:0:0:0:1", 2, UP);
            assertThat(pids(v6, port, "six", " echo=six", 2)).as(primary.output()).hasSize(2);
            stopLeavesNothing(cli, primary, "six", workers);
        }
    }
}
