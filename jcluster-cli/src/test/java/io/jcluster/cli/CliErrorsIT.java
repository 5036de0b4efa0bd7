package io.jcluster.cli;

import io.jcluster.contract.ExitCode;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Each wrong start or request: a one-line message saying what to do, and its documented exit status. */
@Timeout(180)
class CliErrorsIT {
    @TempDir
    Path home;

    private Jcluster cli() {
        return new Jcluster(home);
    }

    private static void assertOneLine(Jcluster.Result r, ExitCode code, String text) {
        assertThat(r.exit()).as(r.all()).isEqualTo(code.code());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("jcluster: ")).toList();
        assertThat(errors).as(r.all()).hasSize(1);
        assertThat(errors.get(0)).contains(text);
    }

    @Test
    void aMissingJar() throws Exception {
        assertOneLine(cli().run("start", home.resolve("missing.jar").toString()), ExitCode.APP_NOT_FOUND, "does not exist");
    }

    @Test
    void aMissingClasspathEntry() throws Exception {
        assertOneLine(cli().run("start", "--classpath", home.resolve("nope").toString(), "--main-class", "a.B"),
                ExitCode.APP_NOT_FOUND, "classpath entry");
    }

    @Test
    void anUnknownMainClass() throws Exception {
        assertOneLine(cli().run("start", "--classpath", Jcluster.TEST_CLASSES.toString(), "--main-class", "no.such.Main"),
                ExitCode.NO_MAIN_CLASS, "no class no.such.Main on the classpath");
    }

    @Test
    void aJarWithoutMainClass() throws Exception {
        Path jar = home.resolve("plain.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().putValue("Manifest-Version", "1.0");
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar), m)) {
            j.flush();
        }
        assertOneLine(cli().run("start", jar.toString()), ExitCode.NO_MAIN_CLASS, "has no Main-Class in its manifest; pass --main-class");
    }

    @Test
    void aPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Jcluster.Result r = cli().run(Jcluster.testApp("busy", 2, "--", "--port", Integer.toString(taken.getLocalPort()))
                    .toArray(String[]::new));
            assertOneLine(r, ExitCode.PORT_IN_USE, "port " + taken.getLocalPort() + " is in use");
            assertThat(Files.exists(home.resolve("busy.json"))).as("no registry entry left").isFalse();
        }
    }

    @Test
    void workersThatExitAtBootFailTheStart() throws Exception {
        Path marker = Files.createFile(home.resolve("broken"));
        Jcluster.Result r = cli().run(Jcluster.testApp("broken", 1, "--", "--fail-if-exists", marker.toString())
                .toArray(String[]::new));
        assertOneLine(r, ExitCode.BOOT_FAILED, "exited (exit code 1) before it listened");
        assertThat(r.err()).contains("refusing to boot");
    }

    @Test
    void noSuchCluster() throws Exception {
        for (String cmd : List.of("status", "stop", "reload", "restart")) {
            assertOneLine(cli().run(cmd, "ghost"), ExitCode.NO_SUCH_CLUSTER, "no cluster named ghost is running");
        }
        assertOneLine(cli().run("scale", "ghost", "3"), ExitCode.NO_SUCH_CLUSTER, "'jcluster ls'");
        assertOneLine(cli().run("logs", "ghost"), ExitCode.NO_SUCH_CLUSTER, "no logs for a cluster named ghost");
    }

    @Test
    void aStaleSocketOfADeadPrimaryIsSaidAndRemoved() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Files.createDirectories(home);
        Path sock = home.resolve("gone.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(sock)); // left behind, as a killed primary leaves it
        }
        Files.writeString(home.resolve("gone.json"), "{\"name\":\"gone\",\"pid\":" + dead.pid() + ",\"socket\":\"" + sock
                + "\",\"state\":\"running\",\"started\":\"2024-01-01T00:00:00Z\",\"logDir\":\"" + home + "\",\"app\":\"x.jar\",\"instances\":2}");
        Jcluster.Result ls = cli().run("ls");
        assertThat(ls.out()).contains("gone").contains("stale (primary died)");
        assertOneLine(cli().run("status", "gone"), ExitCode.STALE, "died without stopping");
        assertThat(Files.exists(sock)).isFalse();
        assertThat(Files.exists(home.resolve("gone.json"))).isFalse();
        assertOneLine(cli().run("status", "gone"), ExitCode.NO_SUCH_CLUSTER, "no cluster named gone");
    }

    @Test
    void badArgumentsAndConfigAreUsageErrors() throws Exception {
        Jcluster.Result r = cli().run("start", "--instances", "0", "--main-class", "a.B");
        assertOneLine(r, ExitCode.USAGE, "--instances");
        Path cfg = home.resolve("bad.yml");
        Files.writeString(cfg, "instances: 2\nmax-memroy: 1G\n");
        assertOneLine(cli().run("start", "--config", cfg.toString()), ExitCode.USAGE, "unknown key 'max-memroy'");
        Files.writeString(cfg, "instances: [1, 2\n");
        assertOneLine(cli().run("start", "--config", cfg.toString()), ExitCode.USAGE, "is not valid YAML");
        assertOneLine(cli().run("start", "--config", home.resolve("none.yml").toString()), ExitCode.USAGE, "does not exist");
        assertOneLine(cli().run("start", "--name", "bad/name", "--main-class", "a.B"), ExitCode.USAGE, "not a valid cluster name");
        assertOneLine(cli().run("send", "x", "{oops"), ExitCode.USAGE, "not valid JSON");
    }

    /** Issue 10: a bad scale value exited 1; every command's wrong arguments exit 2, picocli's and our own checks. */
    @Test
    void wrongArgumentsOfEveryCommandExitTwo() throws Exception {
        for (String bad : List.of("abc", "0", "1.5")) {
            assertOneLine(cli().run("scale", "ghost", bad), ExitCode.USAGE, bad.equals("0") ? "at least 1 worker" : "use N, +K or -K");
        }
        List<List<String>> picocli = List.of(List.of("scale", "ghost"), List.of("status"), List.of("reload", "ghost",
                "--parallel", "x"), List.of("logs", "ghost", "--lines", "x"), List.of("send", "ghost"),
                List.of("send", "ghost", "{}", "--worker", "w"), List.of("stop", "ghost", "--bogus"), List.of("start", "--instances"));
        for (List<String> args : picocli) {
            Jcluster.Result r = cli().run(args.toArray(String[]::new));
            assertThat(r.exit()).as(args + ": " + r.all()).isEqualTo(ExitCode.USAGE.code());
        }
        assertOneLine(cli().run("reload", "ghost", "--parallel", "0"), ExitCode.USAGE, "--parallel");
        assertOneLine(cli().run("stop", "ghost", "--timeout", "soon"), ExitCode.USAGE, "--timeout");
        assertOneLine(cli().run("logs", "ghost", "--lines", "-1"), ExitCode.USAGE, "--lines");
    }

    @Test
    void helpListsTheExitCodes() throws Exception {
        Jcluster.Result r = cli().run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Exit status:").contains(" 4  the cluster's primary died").contains("start").contains("reload");
        // Issue 17: no picocli warning (the '%' in status's description), and demo's sentence whole, not its first line
        assertThat(r.err()).doesNotContain("WARN").isEmpty();
        assertThat(r.out().replaceAll("\\s+", " ")).contains("demo Runs the seed's example: an Express-style app answering "
                + "{\"message\":\" Hello from worker <pid>\"}, one worker per CPU sharing one port; dead workers are replaced.")
                .contains("monit Watches a running cluster live");
        Jcluster.Result status = cli().run("status", "--help");
        assertThat(status.err()).isEmpty();
        assertThat(status.out()).contains("CPU %, open connections");
    }

    /** Issue 17: a script reading status --json gets JSON, errors too. */
    @Test
    void statusJsonPrintsErrorsAsJson() throws Exception {
        Jcluster.Result r = cli().run("status", "ghost", "--json");
        assertThat(r.exit()).isEqualTo(ExitCode.NO_SUCH_CLUSTER.code());
        assertThat(r.err()).isEmpty();
        com.fasterxml.jackson.databind.JsonNode error = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertThat(error.get("error").asText()).contains("no cluster named ghost is running");
        assertThat(error.get("exit").asInt()).isEqualTo(ExitCode.NO_SUCH_CLUSTER.code());
        assertOneLine(cli().run("monit", "ghost"), ExitCode.NO_SUCH_CLUSTER, "no cluster named ghost is running");
    }

    /** Issue 17: a daemon whose workers fail at boot says where their output is, not "above" (nothing is above). */
    @Test
    void aFailedDaemonStartPointsToTheLogFiles() throws Exception {
        Path marker = Files.createFile(home.resolve("broken"));
        List<String> args = new java.util.ArrayList<>(Jcluster.testApp("dbroken", 1, "--", "--fail-if-exists", marker.toString()));
        args.add(1, "--daemon");
        Jcluster.Result r = cli().run(args.toArray(String[]::new));
        assertOneLine(r, ExitCode.BOOT_FAILED, "exited (exit code 1) before it listened; its output is in "
                + home.resolve("logs").resolve("dbroken").resolve("dbroken.log"));
        assertThat(r.err()).doesNotContain("above").contains("(the primary's log: " + home.resolve("logs").resolve("dbroken")
                .resolve("primary.log") + ")");
        List<String> log = Files.readAllLines(home.resolve("logs").resolve("dbroken").resolve("primary.log"));
        assertThat(log).isNotEmpty().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"));
        assertThat(log).anyMatch(l -> l.contains("[primary "));
        assertThat(home.resolve("dbroken.lock")).as("the name's lock file goes with the primary").doesNotExist();
    }
}
