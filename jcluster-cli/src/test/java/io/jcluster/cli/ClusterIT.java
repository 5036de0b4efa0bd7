package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcluster.contract.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** start, ls, status, send, scale, stop and the signals, on the real jar with the test app. */
@Timeout(240)
class ClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void startListStatusSendScaleStop() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("web", 2, "--", "--port", "0"))) {
            int port = primary.awaitUp();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("web.sock")))).isEqualTo("rw-------");

            Jcluster.Result ls = cli.run("ls");
            assertThat(ls.out()).containsPattern("web\\s+" + primary.process.pid() + "\\s+running\\s+2\\s+");

            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                pids.add(JSON.readTree(RawHttp.get(port, "/").body()).get("pid").asLong());
            }
            assertThat(pids).hasSize(2);

            Jcluster.Result status = cli.run("status", "web");
            assertThat(status.exit()).as(status.all()).isZero();
            List<String> lines = status.out().lines().toList();
            assertThat(lines.get(0)).contains("web  running  primary pid " + primary.process.pid()).contains("workers 2/2");
            assertThat(lines.get(1)).matches("ID\\s+PID\\s+STATE\\s+GEN\\s+UPTIME\\s+RESTARTS\\s+RSS\\s+CPU%\\s+CONNS\\s+REQUESTS");
            assertThat(lines.subList(2, lines.size())).hasSize(2).allMatch(l -> l.matches("\\d+\\s+\\d+\\s+listening\\s+1\\s+\\S+\\s+0\\s+[\\d.]+M\\s+\\S+\\s+\\d+\\s+\\d+"));

            JsonNode json = JSON.readTree(cli.run("status", "web", "--json").out());
            assertThat(json.get("workers")).hasSize(2);
            long served = 0;
            for (JsonNode w : json.get("workers")) {
                assertThat(pids).contains(w.get("pid").asLong());
                assertThat(w.get("rssBytes").asLong()).isGreaterThan(1 << 20);
                served += w.get("requests").asLong();
            }
            assertThat(served).as("requests counted by the last heartbeats").isBetween(0L, 6L);

            Jcluster.Result sent = cli.run("send", "web", "{\"hello\":\"there\"}");
            assertThat(sent.out()).contains("sent to 2 worker(s)");
            primary.await("got message \\{\"hello\":\"there\"\\}");
            primary.await("got message \\{\"hello\":\"there\"\\}");
            Jcluster.Result one = cli.run("send", "web", "[1,2]", "--worker", "2");
            assertThat(one.out()).as(one.all()).contains("sent to 1 worker(s)");
            primary.await("\\[worker 2 \\d+] TestApp \\d+ got message \\[1,2]");
            Jcluster.Result none = cli.run("send", "web", "{}", "--worker", "99");
            assertThat(none.exit()).isEqualTo(ExitCode.FAILED.code());
            assertThat(none.err()).contains("jcluster: no worker 99 in web");

            Jcluster.Result up = cli.run("scale", "web", "+2");
            assertThat(up.out()).as(up.all()).contains("scaled web from 2 to 4");
            assertThat(workers(cli, "web")).hasSize(4);
            Jcluster.Result down = cli.run("scale", "web", "-3");
            assertThat(down.out()).as(down.all()).contains("scaled web from 4 to 1");
            JsonNode left = workers(cli, "web");
            assertThat(left).hasSize(1);
            assertThat(left.get(0).get("id").asInt()).as("the oldest retire first").isEqualTo(4);
            assertThat(cli.run("scale", "web", "0").err()).contains("at least 1 worker");
            assertThat(JSON.readTree(RawHttp.get(port, "/").body()).get("worker").asInt()).isEqualTo(4);

            List<ProcessHandle> workers = primary.descendants();
            Jcluster.Result stop = cli.run("stop", "web");
            assertThat(stop.exit()).as(stop.all()).isZero();
            assertThat(stop.out()).contains("stopped web");
            assertThat(primary.process.isAlive()).isFalse();
            assertThat(primary.process.exitValue()).isZero();
            for (ProcessHandle w : workers) {
                w.onExit().get(10, TimeUnit.SECONDS);
            }
            assertThat(home.resolve("web.sock")).doesNotExist();
            assertThat(home.resolve("web.json")).doesNotExist();
            assertThat(cli.run("ls").out()).contains("no cluster is running");
        }
    }

    @Test
    void aSecondClusterCannotTakeARunningName() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("one", 1, "--", "--port", "0"))) {
            primary.awaitUp();
            Jcluster.Result r = cli.run(Jcluster.testApp("one", 1, "--", "--port", "0").toArray(String[]::new));
            assertThat(r.exit()).isEqualTo(ExitCode.NAME_IN_USE.code());
            assertThat(r.err()).contains("a cluster named one is already running (primary pid " + primary.process.pid() + ")");
        }
    }

    @Test
    void aConfigFileWithFlagsOverSignalsReloadScaleAndStop() throws Exception {
        Jcluster cli = new Jcluster(home);
        Path config = home.resolve("sig.yml");
        Files.writeString(config, String.join("\n", "name: sig", "main-class: " + Jcluster.TEST_APP,
                "classpath: " + Jcluster.TEST_CLASSES, "instances: 1", "args: [--port, \"0\"]", "drain-timeout: 10s", ""));
        try (Jcluster.Running primary = cli.start(List.of("start", "--config", config.toString(), "--instances", "2"))) {
            int port = primary.awaitUp();
            assertThat(workers(cli, "sig")).as("--instances overrides the file").hasSize(2);
            primary.signal("HUP");
            primary.await("reload done: 2 worker\\(s\\) replaced; generation 2 serving");
            assertThat(JSON.readTree(RawHttp.get(port, "/").body()).get("gen").asText()).isEqualTo("2");
            primary.signal("TTIN");
            primary.await("scale: 2 -> 3 worker\\(s\\)");
            awaitWorkers(cli, "sig", 3);
            primary.signal("TTOU");
            primary.await("scale: 3 -> 2 worker\\(s\\), retiring the oldest");
            awaitWorkers(cli, "sig", 2);
            List<ProcessHandle> workers = primary.descendants();
            primary.signal("TERM");
            assertThat(primary.waitExit(Duration.ofSeconds(30))).isZero();
            for (ProcessHandle w : workers) {
                w.onExit().get(10, TimeUnit.SECONDS);
            }
            assertThat(primary.output()).contains("SIGTERM received: stopping gracefully");
            assertThat(home.resolve("sig.json")).doesNotExist();
        }
    }

    @Test
    void sigquitStopsAtOnceAndJcmdStillWorks() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("quit", 2, "--", "--port", "0"))) {
            int port = primary.awaitUp();
            List<ProcessHandle> workers = primary.descendants();
            assertThat(workers).hasSize(2);
            // jcmd attaches without SIGQUIT (the attach listener runs from the start): it must not stop anything
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(primary.process.pid()), "VM.uptime").redirectErrorStream(true).start();
            assertThat(jcmd.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(jcmd.exitValue()).isZero();
            assertThat(RawHttp.get(port, "/").status()).isEqualTo(200);
            primary.signal("QUIT");
            primary.await("SIGQUIT received");
            assertThat(primary.waitExit(Duration.ofSeconds(15))).as("a stop on request exits 0").isZero();
            for (ProcessHandle w : workers) {
                w.onExit().get(10, TimeUnit.SECONDS);
            }
            assertThat(primary.output()).doesNotContain("Full thread dump");
        }
    }

    @Test
    void daemonDetachesWritesAPidFileAndStops() throws Exception {
        Jcluster cli = new Jcluster(home);
        List<ProcessHandle> tree = new ArrayList<>(); // every process seen, reaped in finally however the test ends
        try {
            Jcluster.Result r = cli.run(withDaemon(Jcluster.testApp("bg", 2, "--", "--port", "0")));
            Jcluster.remember(home, "bg", tree); // before any assertion can fail
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.out()).contains("bg is running in the background");
            long pid = Long.parseLong(Files.readString(home.resolve("bg.pid")).trim());
            ProcessHandle primary = ProcessHandle.of(pid).orElseThrow();
            assertThat(tree).contains(primary);
            assertThat(workers(cli, "bg")).hasSize(2);
            Jcluster.remember(home, "bg", tree);
            Path logs = home.resolve("logs").resolve("bg");
            assertThat(logs.resolve("bg.log")).exists();
            assertThat(logs.resolve("primary.log")).exists();
            assertThat(Files.readString(logs.resolve("primary.log"))).contains("bg is up");
            Jcluster.Result stop = cli.run("stop", "bg", "--now");
            assertThat(stop.exit()).as(stop.all()).isZero();
            assertThat(Files.readString(logs.resolve("primary.log"))).contains("stop requested: stopping now (workers killed)");
            assertThat(primary.isAlive()).isFalse();
            assertThat(home.resolve("bg.pid")).doesNotExist();
            assertThat(home.resolve("bg.lock")).doesNotExist();
        } finally {
            Jcluster.reap(home, "bg", tree);
        }
    }

    private static String[] withDaemon(List<String> args) {
        List<String> a = new ArrayList<>(args);
        a.add(1, "--daemon");
        return a.toArray(String[]::new);
    }

    static JsonNode workers(Jcluster cli, String name) throws Exception {
        Jcluster.Result r = cli.run("status", name, "--json");
        assertThat(r.exit()).as(r.all()).isZero();
        return JSON.readTree(r.out()).get("workers");
    }

    static void awaitWorkers(Jcluster cli, String name, int n) {
        await().alias(n + " workers of " + name + ", all listening, none leaving").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    JsonNode ws = workers(cli, name);
                    int listening = 0;
                    for (JsonNode w : ws) {
                        if (w.get("state").asText().equals("listening") && !w.has("leaving")) {
                            listening++;
                        }
                    }
                    return listening == n && ws.size() == n;
                });
    }
}
