package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --balance} on real processes: sticky routing from 20 client addresses (127.0.0.2…127.0.0.21, each client
 * socket bound to one) across a kill -9, and least-connections keeping new connections off a worker that holds
 * open ones.
 */
@Timeout(180)
class BalanceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PID = Pattern.compile("\"pid\":(\\d+)");

    @TempDir
    Path home;

    @Test
    void stickySendsEachAddressToOneWorkerAndAKillMovesOnlyTheDeadWorkersAddresses() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("sticky", 3, "--balance", "sticky", "--",
                "--port", "0"))) {
            int port = primary.awaitUp();
            awaitListening(cli, "sticky", 3);
            JsonNode status = status(cli, "sticky");
            assertThat(status.get("balance").asText()).isEqualTo("sticky");
            assertThat(cli.run("status", "sticky").out()).contains("balance sticky");

            Map<Integer, Long> before = new LinkedHashMap<>();
            for (int a = 2; a <= 21; a++) {
                Set<Long> pids = new HashSet<>();
                for (int i = 0; i < 3; i++) {
                    pids.add(pidFrom(a, port));
                }
                assertThat(pids).as("127.0.0.%d reached one worker", a).hasSize(1);
                before.put(a, pids.iterator().next());
            }
            Map<Long, Integer> share = new LinkedHashMap<>();
            before.values().forEach(p -> share.merge(p, 1, Integer::sum));
            long victim = share.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();

            ProcessHandle h = ProcessHandle.of(victim).orElseThrow();
            h.destroyForcibly();
            h.onExit().get(30, TimeUnit.SECONDS);

            // Whether or not its replacement is up yet, the others' addresses stay where they were.
            for (Map.Entry<Integer, Long> e : before.entrySet()) {
                long now = pidFrom(e.getKey(), port);
                if (e.getValue() == victim) {
                    assertThat(now).as("127.0.0.%d moved off the dead worker", e.getKey()).isNotEqualTo(victim);
                } else {
                    assertThat(now).as("127.0.0.%d stayed", e.getKey()).isEqualTo(e.getValue());
                }
            }
            // Its replacement takes its slot, and with it the dead worker's addresses, all of them to the one pid.
            awaitListening(cli, "sticky", 3);
            Set<Long> replacement = new HashSet<>();
            for (Map.Entry<Integer, Long> e : before.entrySet()) {
                long now = pidFrom(e.getKey(), port);
                if (e.getValue() == victim) {
                    replacement.add(now);
                } else {
                    assertThat(now).as("127.0.0.%d stayed after the restart", e.getKey()).isEqualTo(e.getValue());
                }
            }
            assertThat(replacement).hasSize(1).doesNotContain(victim).doesNotContainAnyElementsOf(before.values());
        }
    }

    @Test
    void leastConnectionsSendsNewConnectionsAwayFromTheWorkerThatHoldsOpenOnes() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("lc", 2, "--balance", "least-connections", "--",
                "--port", "0"))) {
            int port = primary.awaitUp();
            awaitListening(cli, "lc", 2);
            assertThat(status(cli, "lc").get("balance").asText()).isEqualTo("least-connections");
            List<Socket> held = new ArrayList<>();
            List<Socket> others = new ArrayList<>();
            long busy = -1;
            try {
                // Open keep-alive connections; hold the ones on the first worker, five of them.
                for (int i = 0; i < 40 && held.size() < 5; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    s.setSoTimeout(30_000);
                    long pid = keepAliveGet(s);
                    if (busy < 0) {
                        busy = pid;
                    }
                    (pid == busy ? held : others).add(s);
                }
                assertThat(held).hasSize(5);
                for (Socket s : others) {
                    s.close();
                }
                long holder = busy;
                // Once the other worker's closes are reported, new connections go to it, not to the holder. (Each
                // probe first uses the held connections, so the HTTP layer's 5 s keep-alive timeout never ends them.)
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> use(held, holder) && pidFrom(1, port) != holder);
                for (int i = 0; i < 8; i++) {
                    use(held, holder);
                    assertThat(pidFrom(1, port)).as("new connection %d", i).isNotEqualTo(holder);
                }
            } finally {
                for (Socket s : held) {
                    s.close();
                }
                for (Socket s : others) {
                    s.close();
                }
            }
        }
    }

    /** A request on each held connection: each is still open, on the holder. */
    private static boolean use(List<Socket> held, long holder) throws IOException {
        for (Socket s : held) {
            assertThat(keepAliveGet(s)).as("a held connection still serves").isEqualTo(holder);
        }
        return true;
    }

    private static void awaitListening(Jcluster cli, String name, int n) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            int listening = 0;
            JsonNode ws = status(cli, name).get("workers");
            for (JsonNode w : ws) {
                if (w.get("state").asText().equals("listening")) {
                    listening++;
                }
            }
            return listening == n && ws.size() == n;
        });
    }

    private static JsonNode status(Jcluster cli, String name) throws Exception {
        Jcluster.Result r = cli.run("status", name, "--json");
        assertThat(r.exit()).as(r.all()).isZero();
        return JSON.readTree(r.out());
    }

    /**
     * One request on a new connection from 127.0.0.{@code from} ({@code Connection: close}, read to the end): the
     * answering worker's pid. A connection cut by a dying worker is tried again, a few times.
     */
    private static long pidFrom(int from, int port) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try (Socket s = new Socket()) {
                s.setSoTimeout(30_000);
                s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) from}), 0));
                s.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                Matcher m = PID.matcher(all);
                if (all.startsWith("HTTP/1.1 200") && m.find()) {
                    return Long.parseLong(m.group(1));
                }
                last = new IOException("no pid in: " + all);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /** One request on a kept-alive connection: the pid in the answer (read by its Content-Length). */
    private static long keepAliveGet(Socket s) throws IOException {
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the head: " + head);
            }
            head.write(b);
        }
        Matcher len = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head.toString(StandardCharsets.US_ASCII));
        if (!len.find()) {
            throw new IOException("no content-length: " + head);
        }
        String body = new String(in.readNBytes(Integer.parseInt(len.group(1))), StandardCharsets.UTF_8);
        Matcher m = PID.matcher(body);
        if (!m.find()) {
            throw new IOException("no pid in: " + body);
        }
        return Long.parseLong(m.group(1));
    }
}
