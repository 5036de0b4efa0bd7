package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jcluster.contract.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code jcluster monit}: under tmux (a real terminal: draw, resize, q) and with its output in a pipe. */
@Timeout(240)
class MonitIT {
    @org.junit.jupiter.api.BeforeAll
    static void tmuxInstalled() {
        io.jcluster.testkit.DebianPackage.ensure("tmux", "tmux");
    }

    @TempDir
    Path home;

    @Test
    void drawsTheWorkersOnAnEightyByTwentyFourTerminalFitsAResizeAndQuitsOnQ() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("mon", 2, "--", "--port", "0"));
             Tmux tmux = new Tmux()) {
            int port = primary.awaitUp();
            List<Long> pids = primary.descendants().stream().map(ProcessHandle::pid).toList();
            assertThat(pids).hasSize(2);
            Path exit = home.resolve("monit.exit");
            Path tty = home.resolve("tty.after");
            tmux.run(80, 24, "env JCLUSTER_HOME=" + home + " LANG=C.UTF-8 " + javaJar() + " monit mon; rc=$?; stty -a > " + tty
                    + "; echo \"exit $rc\" > " + exit + "; sleep 120");
            for (int i = 0; i < 20; i++) {
                RawHttp.get(port, "/");
            }
            List<String> screen = tmux.awaitScreen("two worker rows and their sparklines", s -> s.size() == 24
                    && s.stream().filter(l -> l.matches("\\d+\\s+req/s .*")).count() == 2
                    && pids.stream().allMatch(p -> s.stream().anyMatch(l -> l.matches("\\d+\\s+" + p + "\\s+listening\\s+1\\s+.*"))));
            assertThat(screen.get(0)).startsWith("mon  running  primary pid " + primary.process.pid());
            assertThat(screen.get(1)).isEmpty();
            assertThat(screen.get(2)).matches("ID\\s+PID\\s+STATE\\s+GEN\\s+UPTIME\\s+RST\\s+RSS\\s+CPU%\\s+REQ/S\\s+CONNS(\\s+LAG)?");
            assertThat(screen.get(23)).startsWith("q quits");

            tmux.resize(50, 12);
            screen = tmux.awaitScreen("the frame redrawn at 50x12", s -> s.size() == 12 && s.get(11).startsWith("q quits")
                    && s.get(0).startsWith("mon  running") && s.stream().noneMatch(l -> l.contains("req/s")));
            assertThat(screen.get(0)).startsWith("mon  running  primary pid " + primary.process.pid());
            assertThat(screen.get(1)).as("the head was cut, not wrapped onto the next line").isEmpty();
            assertThat(screen.get(2)).startsWith("ID  PID");
            assertThat(screen.stream().filter(l -> l.matches("\\d+\\s+\\d+\\s+listening.*"))).hasSize(2);

            tmux.resize(80, 24);
            tmux.awaitScreen("the sparklines back at 80x24", s -> s.stream().filter(l -> l.matches("\\d+\\s+req/s .*")).count() == 2);
            tmux.keys("q");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(exit) && Files.size(exit) > 0);
            assertThat(Files.readString(exit).trim()).isEqualTo("exit 0");
            String modes = Files.readString(tty);
            assertThat(modes).as("the terminal's modes are restored").containsPattern("(^|\\s)icanon\\b")
                    .containsPattern("(^|\\s)echo\\b");
            assertThat(primary.process.isAlive()).as("monit only watched").isTrue();
        }
    }

    @Test
    void withoutATerminalPrintsPlainSnapshotsAndEndsWhenTheClusterStops() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("plain", 1, "--", "--port", "0"))) {
            primary.awaitUp();
            long worker = primary.descendants().get(0).pid();
            Jcluster.Result two = cli.run("monit", "plain", "--iterations", "2");
            assertThat(two.exit()).as(two.all()).isZero();
            assertThat(two.out()).doesNotContain("\033");
            assertThat(two.out().lines().filter(l -> l.startsWith("plain  running  primary pid "))).hasSize(2);
            assertThat(two.out().lines().filter(l -> l.matches("1\\s+" + worker + "\\s+listening\\s+.*"))).hasSize(2);

            try (Jcluster.Running monit = cli.start(List.of("monit", "plain"))) {
                monit.await("^1\\s+" + worker + "\\s+listening");
                Jcluster.Result stop = cli.run("stop", "plain");
                assertThat(stop.exit()).as(stop.all()).isZero();
                assertThat(monit.waitExit(Duration.ofSeconds(30))).isEqualTo(ExitCode.NO_SUCH_CLUSTER.code());
                assertThat(monit.output()).contains("jcluster: plain stopped: its primary (pid " + primary.process.pid()
                        + ") has exited");
            }
            Jcluster.Result none = cli.run("monit", "plain");
            assertThat(none.exit()).isEqualTo(ExitCode.NO_SUCH_CLUSTER.code());
            assertThat(none.err()).contains("no cluster named plain is running");
        }
    }

    private static String javaJar() {
        return Path.of(System.getProperty("java.home"), "bin", "java") + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "
                + Jcluster.JAR;
    }

    /** A private tmux server (its own socket name) with one detached session; close kills that server. */
    private static final class Tmux implements AutoCloseable {
        private final String socket = "jcluster-monit-it-" + UUID.randomUUID().toString().substring(0, 8);

        void run(int cols, int rows, String shellCommand) throws Exception {
            tmux("new-session", "-d", "-s", "m", "-x", Integer.toString(cols), "-y", Integer.toString(rows), shellCommand);
        }

        void resize(int cols, int rows) throws Exception {
            tmux("resize-window", "-t", "m", "-x", Integer.toString(cols), "-y", Integer.toString(rows));
        }

        void keys(String keys) throws Exception {
            tmux("send-keys", "-t", "m", keys);
        }

        List<String> screen() throws Exception {
            return lines(tmux("capture-pane", "-p", "-t", "m"));
        }

        private static List<String> lines(String captured) {
            List<String> l = new ArrayList<>(List.of(captured.split("\n", -1)));
            if (!l.isEmpty() && l.get(l.size() - 1).isEmpty()) {
                l.remove(l.size() - 1); // the newline after the last row
            }
            return l;
        }

        List<String> awaitScreen(String what, java.util.function.Predicate<List<String>> ok) {
            List<List<String>> last = new ArrayList<>(List.of(List.of()));
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    List<String> s = screen();
                    last.set(0, s);
                    return ok.test(s);
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the screen never showed " + what + "; last:\n" + String.join("\n", last.get(0)), e);
            }
            return last.get(0);
        }

        private String tmux(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException("tmux " + String.join(" ", args) + " failed: " + out);
                }
                return out;
            } finally {
                p.destroyForcibly();
            }
        }

        @Override
        public void close() throws Exception {
            try {
                tmux("kill-server");
            } catch (IOException e) {
                // no server (never started, or already gone)
            }
        }
    }
}
