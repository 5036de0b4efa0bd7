package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Socket activation for real, with systemd's own {@code systemd-socket-activate} (it binds, then execs the command
 * with {@code LISTEN_FDS}; no running systemd needed): the primary serves on the socket it is given and binds none;
 * and, with a holder that keeps the socket while the primary restarts (as systemd's socket unit does), no connection
 * made during the restart is refused or lost.
 */
@Timeout(300)
class SocketActivationIT {
    /** systemd-socket-activate, from Debian's systemd package (installed when missing: it needs no running systemd). */
    static final String ACTIVATE = io.jcluster.testkit.DebianPackage.ensure("systemd-socket-activate", "systemd").toString();

    @TempDir
    Path home;

    @Test
    void thePrimaryServesOnTheSocketItIsGivenAndBindsNone() throws Exception {
        Jcluster cli = new Jcluster(home);
        int port = Jcluster.freePort();
        List<String> cmd = activate(port);
        cmd.addAll(Jcluster.command(Jcluster.testApp("sa", 2, "--", "--port", Integer.toString(port))));
        try (Jcluster.Running primary = cli.startCommand(cmd)) {
            primary.await("Listening on .*:" + port + " as 3");
            // systemd-socket-activate execs the primary on the first connection: that one is answered too.
            RawHttp first = RawHttp.get(port, "/", 60_000);
            assertThat(first.status()).isEqualTo(200);
            primary.await("is up: 2 worker\\(s\\) listening on \\S*:" + port);
            for (int i = 0; i < 20; i++) {
                assertThat(RawHttp.get(port, "/").status()).isEqualTo(200);
            }
            long pid = primary.process.pid(); // systemd-socket-activate execs: the primary keeps its pid
            String given = socketInode(pid, 3);
            assertThat(given).as("fd 3 of the primary is the socket it was given").isNotNull();
            List<Long> tree = new ArrayList<>(List.of(pid));
            primary.descendants().forEach(d -> tree.add(d.pid()));
            assertThat(tree).as("the primary and its workers").hasSizeGreaterThanOrEqualTo(3);
            assertThat(listeningInodes(tree)).as("every TCP socket that the primary and its workers listen on")
                    .containsExactly(given);
            assertThat(workerEnvironments(primary)).as("LISTEN_* in a worker's environment").noneMatch(e -> e.contains("LISTEN_"));

            Jcluster.Result stop = cli.run("stop", "sa");
            assertThat(stop.exit()).as(stop.all()).isZero();
            assertThat(primary.waitExit(Duration.ofSeconds(60))).isZero();
        }
    }

    @Test
    void aRestartOfThePrimaryUnderAHolderRefusesNoConnection() throws Exception {
        Jcluster cli = new Jcluster(home);
        int port = Jcluster.freePort();
        Path stopFile = home.resolve("stop-holder");
        // The holder: systemd-socket-activate binds the port and execs bash, which keeps the socket (fd 3) and runs
        // the primary again each time it exits, with LISTEN_PID set to the primary's pid, as systemd's restart does.
        String primaryCmd = String.join(" ", Jcluster.command(Jcluster.testApp("held", 2, "--", "--port",
                Integer.toString(port))).stream().map(SocketActivationIT::shellQuote).toList());
        String loop = "while [ ! -e " + shellQuote(stopFile.toString()) + " ]; do (export LISTEN_PID=$BASHPID; exec "
                + primaryCmd + "); echo \"holder: the primary exited with $?\"; done";
        List<String> cmd = activate(port);
        cmd.addAll(List.of("bash", "-c", loop));
        try (Jcluster.Running holder = cli.startCommand(cmd)) {
            holder.await("Listening on .*:" + port + " as 3");
            assertThat(RawHttp.get(port, "/", 60_000).status()).isEqualTo(200);
            holder.await("is up: 2 worker\\(s\\) listening");
            long firstPid = primaryPid(cli, "held");
            Load load = new Load(port, "/", 3, 60_000);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> load.ok.get() >= 100);
                long before = load.total();
                Jcluster.Result stop = cli.run("stop", "held");
                assertThat(stop.exit()).as(stop.all()).isZero();
                holder.await("holder: the primary exited with 0");
                holder.await("is up: 2 worker\\(s\\) listening", Duration.ofSeconds(120));
                long after = load.total();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.total() >= after + 100);
                load.close();
                assertThat(load.failures).as("failed or refused requests across the restart").isEmpty();
                assertThat(load.total() - before).isGreaterThan(100);
                assertThat(primaryPid(cli, "held")).as("a new primary serves").isNotEqualTo(firstPid);
                System.out.printf("holder restart: %d requests, %d failed, slowest answer %d ms (held in the backlog)%n",
                        load.total(), load.failures.size(), load.slowestMillis.get());
            } finally {
                load.close();
                Files.createFile(stopFile);
                cli.run("stop", "held");
                holder.waitExit(Duration.ofSeconds(60));
            }
        }
    }

    /** systemd-socket-activate on {@code port}; it passes on only the environment it is told to (-E). */
    List<String> activate(int port) {
        return new ArrayList<>(List.of(ACTIVATE, "-l", Integer.toString(port), "-E", "JCLUSTER_HOME=" + home,
                "-E", "JCLUSTER_CDS_DIR=off", "--"));
    }

    /** The pid of the primary that answers {@code status NAME}. */
    static long primaryPid(Jcluster cli, String name) throws Exception {
        Jcluster.Result r = cli.run("status", name, "--json");
        assertThat(r.exit()).as(r.all()).isZero();
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("pid").asLong();
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The inode of the socket behind {@code fd} of {@code pid}, or null. */
    static String socketInode(long pid, int fd) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd))).toString();
        Matcher m = Pattern.compile("socket:\\[(\\d+)]").matcher(link);
        return m.matches() ? m.group(1) : null;
    }

    /** The inodes of the TCP sockets in LISTEN state that any of {@code pids} holds. */
    static Set<String> listeningInodes(List<Long> pids) throws IOException {
        Set<String> listening = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals("0A")) {
                    listening.add(f[9]);
                }
            }
        }
        Set<String> held = new HashSet<>();
        for (long pid : pids) {
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        Matcher m = Pattern.compile("socket:\\[(\\d+)]").matcher(Files.readSymbolicLink(fd).toString());
                        if (m.matches() && listening.contains(m.group(1))) {
                            held.add(m.group(1));
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            }
        }
        return held;
    }

    private static List<String> workerEnvironments(Jcluster.Running primary) {
        List<String> envs = new ArrayList<>();
        for (ProcessHandle d : primary.descendants()) {
            try {
                envs.add(new String(Files.readAllBytes(Path.of("/proc", Long.toString(d.pid()), "environ"))));
            } catch (IOException e) {
                // gone meanwhile
            }
        }
        assertThat(envs).isNotEmpty();
        return envs;
    }
}
