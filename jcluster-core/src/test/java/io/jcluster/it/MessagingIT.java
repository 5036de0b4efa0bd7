package io.jcluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.testkit.RealProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * Request/reply and broadcast between real processes: a primary and two worker JVMs ({@link MessagingCluster}).
 * One cluster for the whole story, to keep it lean: replies both ways, broadcasts, no handler, a handler that
 * throws, a timeout, and a worker killed while a request to it waits.
 */
class MessagingIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Two worker JVMs booting on a loaded 2-core machine. */
    private static final Duration BOOT = Duration.ofSeconds(120);

    /** A line that may come before or after the one awaited last (output of different processes). */
    private static void eventually(RealProcess p, String line) {
        org.awaitility.Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(p.output()).contains(line));
    }

    @Test
    void requestsAndBroadcastsAcrossTwoWorkers() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), MessagingCluster.class.getName());
        pb.environment().put("JCLUSTER_CDS_DIR", "off");
        try (RealProcess p = RealProcess.start(pb, "messaging cluster")) {
            long[] pids = new long[3];
            for (int i = 0; i < 2; i++) { // in either order
                Matcher ready = p.await("EVENT message (\\d) \\{\"ready\":\\d,\"pid\":(\\d+)\\}", BOOT);
                pids[Integer.parseInt(ready.group(1))] = Long.parseLong(ready.group(2));
            }
            long pid1 = pids[1];
            assertThat(pids[2]).isPositive();

            // primary → worker: the handler's return value is the reply
            p.send("request 1 20000 {\"q\":\"hi\"}");
            p.await("EVENT reply 1 \\{\"answeredBy\":\"worker\",\"id\":1,\"pid\":" + pid1 + ",\"echo\":\\{\"q\":\"hi\"\\}\\}", WAIT);

            // worker → primary
            p.send("tell 2 {\"ask\":{\"n\":42}}");
            p.await("EVENT message 2 \\{\"asked\":\\{\"answeredBy\":\"primary\",\"to\":2,\"echo\":\\{\"n\":42\\}\\}\\}", WAIT);

            // a worker's broadcast reaches the other worker, not itself; the primary's reaches both
            p.send("tell 1 {\"shout\":\"hello all\"}");
            p.await("EVENT message 2 \\{\"got\":\\{\"from\":1,\"text\":\"hello all\"\\},\"me\":2\\}", WAIT);
            p.send("broadcast {\"from\":0,\"text\":\"from the primary\"}");
            List<String> got = List.of(
                    p.await("EVENT message (\\d) \\{\"got\":\\{\"from\":0,\"text\":\"from the primary\"\\}", WAIT).group(1),
                    p.await("EVENT message (\\d) \\{\"got\":\\{\"from\":0,\"text\":\"from the primary\"\\}", WAIT).group(1));
            assertThat(got).containsExactlyInAnyOrder("1", "2");
            eventually(p, "EVENT broadcast 2");
            eventually(p, "EVENT message 1 {\"shouted\":1}");
            assertThat(p.output()).doesNotContain("\"got\":{\"from\":1,\"text\":\"hello all\"},\"me\":1");

            // errors as data: no handler, a handler that throws, a timeout
            p.send("request 2 20000 {\"q\":\"anyone?\"}");
            p.await("EVENT requestFailed 2 NO_HANDLER worker 2 has no request handler", WAIT);
            p.send("request 1 20000 {\"fail\":\"bad op\"}");
            p.await("EVENT requestFailed 1 HANDLER_FAILED the request handler of worker 1 failed: IllegalStateException: bad op", WAIT);
            p.send("request 1 300 {\"sleep\":5000}");
            p.await("EVENT requestFailed 1 TIMEOUT no reply from worker 1 within 300 ms", WAIT);

            // the link survives all of that
            p.send("request 1 20000 {\"q\":\"still there?\"}");
            p.await("EVENT reply 1 \\{\"answeredBy\":\"worker\",\"id\":1,.*\"still there\\?\"", WAIT);

            // peer death: the request waiting for worker 1 fails at once, long before its timeout
            p.send("request 1 600000 {\"sleep\":600000}");
            p.send("kill 1");
            Matcher m = p.await("EVENT requestFailed 1 (\\w+) (.*)", WAIT);
            assertThat(m.group(1)).isEqualTo("PEER_GONE");
            assertThat(m.group(2)).isEqualTo("worker 1 disconnected before it replied");
            eventually(p, "EVENT exit 1 SIGKILL");
        }
    }
}
