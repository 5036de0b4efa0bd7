package io.jcluster.cli;

import io.jcluster.contract.ExitCode;
import io.jcluster.testkit.RealProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Issue 17: where a cluster listens, through the real command: the IPv6 loopback only, and a port it may not bind. */
@Timeout(120)
class ListenAddressIT {
    @TempDir
    Path home;

    /** {@code demo --host ::1}: jcluster's own HTTP server, round-robin through the primary, on [::1] and nowhere else. */
    @Test
    void aClusterOnTheIpv6LoopbackAnswersThereAndNotOn127001() throws Exception {
        int port = portFreeOnBothLoopbacks();
        try (Jcluster.Running demo = new Jcluster(home).start(List.of("demo", "--host", "::1", "--port",
                Integer.toString(port), "--workers", "2", "--admin", "off", "--name", "six"))) {
            Set<String> started = new HashSet<>();
            started.add(demo.await("^Worker (\\d+) started$").group(1));
            started.add(demo.await("^Worker (\\d+) started$").group(1));
            demo.descendants();
            Set<String> answering = new HashSet<>();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                RawHttp r = RawHttp.get("::1", port, "/", 10_000);
                assertThat(r.status()).isEqualTo(200);
                answering.add(r.body().replaceAll("\\D", ""));
                assertThat(answering).as("both workers answer on [::1]").isEqualTo(started);
            });
            assertThatThrownBy(() -> RawHttp.get("127.0.0.1", port, "/", 10_000)).as("127.0.0.1:" + port)
                    .isInstanceOf(ConnectException.class);
            Jcluster.Result status = new Jcluster(home).run("status", "six");
            assertThat(status.out()).as(status.all()).contains("[::1]:" + port);
        }
    }

    /**
     * A port below {@code net.ipv4.ip_unprivileged_port_start} without the right to bind it: the command run as root
     * with CAP_NET_BIND_SERVICE dropped from its bounding set (so from every process it starts), or as it is when the
     * test does not run as root. The user sees one line naming the port and the permission, exit status 8, and no
     * process and no registry entry are left.
     */
    @Test
    void aPortItMayNotBindFailsTheStartWithTheReasonAndLeavesNothing() throws Exception {
        // readAllLines: Files.readString reads a sysctl a byte first and gets "1" of "1024".
        int first = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).get(0).trim());
        Assumptions.assumeTrue(first > 1, "net.ipv4.ip_unprivileged_port_start is " + first
                + ": every port may be bound by anyone here (set it to 1024 to run this test)");
        int port = privilegedFreePort(Math.min(first, 1024) - 1);
        boolean root = uid() == 0;
        List<String> cmd = new ArrayList<>();
        if (root) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "no setpriv to drop the capability");
            cmd.addAll(List.of("/usr/bin/setpriv", "--inh-caps=-net_bind_service", "--bounding-set=-net_bind_service"));
        }
        cmd.addAll(Jcluster.command(Jcluster.testApp("acc", 2, "--", "--port", Integer.toString(port))));
        Jcluster.Running start = new Jcluster(home).startCommand(cmd); // setpriv execs java: same pid
        List<Long> workers = new ArrayList<>();
        try {
            int exit = start.waitExit(Duration.ofSeconds(90));
            String out = start.output();
            Matcher m = Pattern.compile("\\[worker \\d+ (\\d+)]").matcher(out);
            while (m.find()) {
                workers.add(Long.parseLong(m.group(1)));
            }
            assertThat(exit).as(out).isEqualTo(ExitCode.BOOT_FAILED.code());
            assertThat(out).as(out).contains("jcluster: acc failed to start: permission denied to listen on port " + port
                    + " (0.0.0.0:" + port + ", EACCES): ports below " + first
                    + " need root or the capability CAP_NET_BIND_SERVICE");
            assertThat(workers).as("workers that reported the failure:\n" + out).isNotEmpty();
            for (long pid : workers) {
                await().atMost(Duration.ofSeconds(10)).until(() -> RealProcess.gone(pid));
            }
            assertThat(processesWith("JCLUSTER_HOME=" + home)).as("processes of this cluster left").isEmpty();
            try (Stream<Path> files = Files.list(home)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .as("registry entries left").noneMatch(f -> f.startsWith("acc."));
            }
        } finally {
            workers.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            start.close();
        }
    }

    private static int portFreeOnBothLoopbacks() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket v6 = new ServerSocket()) {
                v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
                try (ServerSocket v4 = new ServerSocket()) {
                    v4.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), v6.getLocalPort()));
                    return v6.getLocalPort();
                } catch (IOException taken) {
                    // that port is taken on 127.0.0.1: another
                }
            } catch (IOException e) {
                Assumptions.abort("the IPv6 loopback ::1 cannot be bound here (" + e + ")");
            }
        }
        throw new IllegalStateException("no port free on both ::1 and 127.0.0.1 in 20 tries");
    }

    /** A port from {@code from} down that nothing listens on (bound and closed by this JVM where it may bind). */
    private static int privilegedFreePort(int from) {
        for (int p = from; p > 0; p--) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(p));
                return p;
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("ermission")) {
                    return p; // this JVM may not bind it either: the command will meet the same refusal
                }
            }
        }
        throw new IllegalStateException("no free port below " + from);
    }

    private static long uid() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("Uid:")) {
                return Long.parseLong(l.substring(4).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no Uid: line in /proc/self/status");
    }

    /** Live processes (zombies not counted) whose environment holds {@code entry}. */
    static List<Long> processesWith(String entry) throws IOException {
        List<Long> found = new ArrayList<>();
        byte[] want = (entry + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    byte[] env = Files.readAllBytes(p.resolve("environ"));
                    if (indexOf(env, want) >= 0 && !RealProcess.gone(Long.parseLong(n))) {
                        found.add(Long.parseLong(n));
                    }
                } catch (IOException gone) {
                    // exited meanwhile, or not ours to read
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
