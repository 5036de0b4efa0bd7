package io.jcluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real primaries and worker JVMs on real ports: what a user of the cluster API sees. */
@Timeout(120)
class ClusterIT {

    @Test
    void twoWorkersAnswerOnOnePortWithDistinctPids() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "off")) {
            Set<Long> forked = forkedPids(c, 2);
            int port = c.awaitListening(2);
            Set<Long> answered = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                answered.add(Long.parseLong(LineClient.askOnce(port, "pid")));
            }
            assertThat(answered).isEqualTo(forked);
        }
    }

    @Test
    void roundRobinSplitsNewConnectionsEvenly() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "off")) {
            forkedPids(c, 2);
            int port = c.awaitListening(2);
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 1000; i++) {
                counts.merge(LineClient.askOnce(port, "pid"), 1, Integer::sum);
            }
            assertThat(counts).hasSize(2);
            assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(450, 550));
        }
    }

    @Test
    void burstsOfConnectionsReachTheWorkersSeveralFdsPerMessage() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "off")) {
            Set<Long> forked = forkedPids(c, 2);
            assertThat(burst(c.awaitListening(2), 8, 64)).isEqualTo(forked);
        }
    }

    @Test
    void aWorkerThatTakesOneFdPerMessageGetsOneFdPerMessage() throws Exception {
        // A batching primary must not send such a worker several fds at once: the kernel would drop all but one.
        try (ClusterProcess c = ClusterProcess.start(Map.of("TEST_WORKER_JVM", "-Djcluster.fdBatch.disable=true"),
                0, 2, "rr", "off")) {
            Set<Long> forked = forkedPids(c, 2);
            assertThat(burst(c.awaitListening(2), 8, 64)).isEqualTo(forked);
        }
    }

    /** {@code rounds} bursts of {@code parallel} connections at once; the pids that answered all of them. */
    private static Set<Long> burst(int port, int rounds, int parallel) throws Exception {
        Set<Long> answered = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parallel);
        try {
            for (int r = 0; r < rounds; r++) {
                List<java.util.concurrent.Future<String>> all = new java.util.ArrayList<>();
                for (int i = 0; i < parallel; i++) {
                    all.add(pool.submit(() -> LineClient.askOnce(port, "pid")));
                }
                for (java.util.concurrent.Future<String> f : all) {
                    answered.add(Long.parseLong(f.get(10, java.util.concurrent.TimeUnit.SECONDS)));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return answered;
    }

    @Test
    void policyNoneSharesTheListeningSocket() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "none", "off")) {
            Set<Long> forked = forkedPids(c, 2);
            int port = c.awaitListening(2);
            for (int i = 0; i < 200; i++) {
                assertThat(Long.parseLong(LineClient.askOnce(port, "pid"))).isIn(forked);
            }
            // The primary holds the listening socket but never accepts on it: the workers do.
            assertThat(c.output()).contains("EVENT listening 1 " + port, "EVENT listening 2 " + port);
        }
    }

    @Test
    void killedWorkerReportsTheSignalAndIsReplaced() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "on")) {
            Map<Integer, Long> pids = forkedIds(c, 2);
            int port = c.awaitListening(2);
            ProcessHandle.of(pids.get(1)).orElseThrow().destroyForcibly();
            c.await("EVENT exit 1 " + pids.get(1) + " 137 SIGKILL false");
            Matcher fork = c.await("EVENT fork 3 (\\d+)");
            long replacement = Long.parseLong(fork.group(1));
            c.await("EVENT listening 3 " + port);
            Set<Long> answered = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                answered.add(Long.parseLong(LineClient.askOnce(port, "pid")));
            }
            assertThat(answered).containsExactlyInAnyOrder(pids.get(2), replacement);
        }
    }

    @Test
    void aReplacementWithSeveralLoopsServesTheConnectionsThatWaitedForIt() throws Exception {
        // Such a worker reads its control link and its fd link on different threads: a connection handed to it
        // before it has taken the primary's reply would be refused, and that took it out of the port (closed).
        try (ClusterProcess c = ClusterProcess.start(Map.of("JCLUSTER_WORKER_THREADS", "4"), 0, 1, "rr", "on")) {
            long pid = forkedIds(c, 1).get(1);
            int port = c.awaitListening(1);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(32);
            try {
                for (int round = 0; round < 3; round++) {
                    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                    c.await("EVENT exit \\d+ " + pid + " ");
                    List<java.util.concurrent.Future<String>> waiting = new java.util.ArrayList<>();
                    for (int i = 0; i < 32; i++) { // no worker yet: these wait in the backlog
                        waiting.add(pool.submit(() -> LineClient.askOnce(port, "pid")));
                    }
                    long replacement = Long.parseLong(c.await("EVENT fork \\d+ (\\d+)").group(1));
                    for (java.util.concurrent.Future<String> f : waiting) {
                        assertThat(Long.parseLong(f.get(20, java.util.concurrent.TimeUnit.SECONDS))).isEqualTo(replacement);
                    }
                    assertThat(Long.parseLong(LineClient.askOnce(port, "pid"))).isEqualTo(replacement);
                    pid = replacement;
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void withoutRestartADeadWorkerIsNotReplacedAndTheOthersServe() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "off")) {
            Map<Integer, Long> pids = forkedIds(c, 2);
            int port = c.awaitListening(2);
            ProcessHandle.of(pids.get(2)).orElseThrow().destroyForcibly();
            c.await("EVENT exit 2 .* SIGKILL false");
            for (int i = 0; i < 20; i++) {
                assertThat(Long.parseLong(LineClient.askOnce(port, "pid"))).isEqualTo(pids.get(1));
            }
            assertThat(c.output()).doesNotContain("EVENT fork 3");
        }
    }

    @Test
    void disconnectLetsASlowInFlightRequestFinish() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "off")) {
            Map<Integer, Long> pids = forkedIds(c, 2);
            int port = c.awaitListening(2);
            try (LineClient slow = new LineClient(port)) {
                long pid = Long.parseLong(slow.ask("pid"));
                int id = pids.get(1) == pid ? 1 : 2;
                slow.send("slow 1500");
                c.command("disconnect " + id);
                c.await("EVENT disconnect " + id, Duration.ofSeconds(10)).group();
                // The in-flight request was answered before the worker went away.
                assertThat(slow.read()).isEqualTo(Long.toString(pid));
                assertThat(slow.read()).as("then the connection is closed").isNull();
                c.await("EVENT exit " + id + " " + pid + " 0 null true");
                // New connections go to the other worker meanwhile and after.
                long other = pids.get(id == 1 ? 2 : 1);
                for (int i = 0; i < 10; i++) {
                    assertThat(Long.parseLong(LineClient.askOnce(port, "pid"))).isEqualTo(other);
                }
            }
        }
    }

    @Test
    void killEndsAWorkerThatHoldsAConnectionByTheDrainDeadlineAsDeathBySigterm() throws Exception {
        // Node's worker dies by the signal; ours drains first, but never past the deadline (5 s in TestCluster).
        try (ClusterProcess c = ClusterProcess.start(0, 1, "rr", "on")) {
            long pid = forkedIds(c, 1).get(1);
            int port = c.awaitListening(1);
            try (LineClient held = new LineClient(port)) {
                assertThat(Long.parseLong(held.ask("pid"))).isEqualTo(pid);
                held.send("slow 60000"); // busy for a minute: it will not close by itself
                long t0 = System.nanoTime();
                c.command("kill 1 SIGTERM");
                c.await("EVENT exit 1 " + pid + " 143 SIGTERM false", Duration.ofSeconds(15));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(ms).as("ms from kill() to the exit").isBetween(4_000L, 12_000L);
                assertThat(held.read()).as("the held connection was closed").isNull();
            }
            // Killed through the API: not replaced, though restart is on.
            c.command("workers");
            c.await("EVENT workers \\[\\]");
            assertThat(c.output()).doesNotContain("EVENT fork 2");
        }
    }

    @Test
    void aMessageSentRightAfterForkReachesTheWorker() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 0, "rr", "off")) {
            c.command("forksend {\"config\":42}");
            c.await("EVENT forksend 1 true true");
            c.await("EVENT message 1 \\{\"echo\":\\{\"config\":42\\},\"from\":1\\}");
        }
    }

    @Test
    void aRestartKeepsTheSlotAndGenerationAndCancelledRestartsDoNotHappen() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 0, "rr", "on")) {
            c.command("forkgen 7");
            long pid = Long.parseLong(c.await("EVENT fork 1 (\\d+)").group(1));
            c.await("EVENT slot 1 1 7");
            int port = c.awaitListening(1);
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long replacement = Long.parseLong(c.await("EVENT fork 2 (\\d+)").group(1));
            c.await("EVENT slot 2 1 7");
            c.await("EVENT listening 2 " + port);

            c.command("cancel 2");
            c.await("EVENT cancelled 2");
            ProcessHandle.of(replacement).orElseThrow().destroyForcibly();
            c.await("EVENT exit 2 " + replacement + " 137 SIGKILL false");
            c.command("fork");
            c.await("EVENT fork 3 \\d+");
            c.await("EVENT slot 3 2 1");
            c.await("EVENT listening 3 " + port);
            assertThat(c.output()).doesNotContain("EVENT fork 4");
        }
    }

    @Test
    void retireLetsTheRequestInFlightFinishAndDoesNotRestart() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 1, "rr", "on")) {
            long pid = forkedIds(c, 1).get(1);
            int port = c.awaitListening(1);
            try (LineClient slow = new LineClient(port)) {
                assertThat(Long.parseLong(slow.ask("pid"))).isEqualTo(pid);
                slow.send("slow 1000");
                c.command("retire 1 5000");
                assertThat(slow.read()).isEqualTo(Long.toString(pid));
                c.await("EVENT retired 1 0 true");
            }
            c.command("workers");
            c.await("EVENT workers \\[\\]");
            assertThat(c.output()).doesNotContain("EVENT fork 2");
        }
    }

    @Test
    void acceptingPausesWhileTheWorkersWindowIsFullThenResumes() throws Exception {
        // A window of one unacknowledged connection, and the only worker's loop blocked: the primary has to
        // stop accepting (the kernel backlog holds the burst) and start again once the worker acks.
        try (ClusterProcess c = ClusterProcess.start(Map.of("TEST_WINDOW", "1"), 0, 1, "rr", "off")) {
            long pid = forkedPids(c, 1).iterator().next();
            int port = c.awaitListening(1);
            try (LineClient blocker = new LineClient(port)) {
                assertThat(blocker.ask("pid")).isEqualTo(Long.toString(pid));
                blocker.send("block 1000");
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
                try {
                    List<java.util.concurrent.Future<String>> burst = new java.util.ArrayList<>();
                    for (int i = 0; i < 16; i++) {
                        burst.add(pool.submit(() -> LineClient.askOnce(port, "pid")));
                    }
                    assertThat(blocker.read()).isEqualTo("unblocked");
                    for (java.util.concurrent.Future<String> f : burst) {
                        assertThat(f.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(Long.toString(pid));
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
            // Still accepting, by the same worker: nothing broke on the way.
            for (int i = 0; i < 50; i++) {
                assertThat(LineClient.askOnce(port, "pid")).isEqualTo(Long.toString(pid));
            }
            assertThat(c.output()).doesNotContain("EVENT exit");
        }
    }

    @Test
    void portInUseFailsTheWorkersListenWithEaddrinuse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0);
             ClusterProcess c = ClusterProcess.start(0 + taken.getLocalPort(), 1, "rr", "off")) {
            Matcher m = c.await("LISTEN-ERROR (.*)");
            assertThat(m.group(1)).contains("EADDRINUSE").contains(":" + taken.getLocalPort());
            c.await("EVENT message 1 .*listenError.*EADDRINUSE");
            assertThat(c.output()).contains("EVENT listenError 1 EADDRINUSE " + taken.getLocalPort());
        }
    }

    @Test
    void aHostNameIsResolvedAndServedAndOneThatDoesNotResolveFailsTheListen() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "off", "localhost")) {
            Set<Long> forked = forkedPids(c, 2);
            int port = c.awaitListening(2);
            assertThat(burst(port, 2, 16)).isEqualTo(forked);
        }
        try (ClusterProcess c = ClusterProcess.start(0, 1, "rr", "off", "no-such-host.invalid")) {
            Matcher m = c.await("LISTEN-ERROR (.*)");
            assertThat(m.group(1)).contains("EADDRNOTAVAIL").contains("no-such-host.invalid");
            c.await("EVENT message 1 .*listenError.*EADDRNOTAVAIL");
            assertThat(c.output()).contains("EVENT listenError 1 EADDRNOTAVAIL");
        }
    }

    @Test
    void killingThePrimaryTakesEveryWorkerDownWithinOneSecond() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "off")) {
            forkedPids(c, 2); // remembers the workers
            int port = c.awaitListening(2);
            List<ProcessHandle> workers = c.descendants();
            assertThat(workers).hasSize(2);
            LineClient.askOnce(port, "pid");
            long t0 = System.nanoTime();
            c.process().destroyForcibly();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> workers.stream().allMatch(w -> ClusterProcess.gone(w.pid())));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // The 1 s goal is the reliability long form's (Orphans), measured there; here the behaviour, with a margin a
            // loaded 2-core machine keeps (1.8 s was seen at a load average of 29).
            assertThat(ms).as("workers gone after the primary's kill -9, in ms").isLessThanOrEqualTo(5000);
            // and the port is free for a new cluster
            try (ServerSocket again = new ServerSocket(port)) {
                assertThat(again.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void theIpcDirectoryIsPrivateAndAKilledPrimarysIsRemovedByTheNext() throws Exception {
        java.nio.file.Path dir;
        try (ClusterProcess c = ClusterProcess.start(0, 1, "rr", "off")) {
            forkedPids(c, 1);
            c.awaitListening(1);
            c.descendants(); // the workers, remembered before the kill: close() reaps them should they outlive it
            dir = ipcDir(c.pid());
            assertThat(java.nio.file.Files.getPosixFilePermissions(dir))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            c.process().destroyForcibly(); // no exit hook runs
            c.process().waitFor();
            assertThat(dir).exists();
        }
        try (ClusterProcess next = ClusterProcess.start(0, 1, "rr", "off")) {
            forkedPids(next, 1);
            next.awaitListening(1);
            assertThat(dir).doesNotExist();
            next.command("shutdown");
            next.await("EVENT stopped");
            assertThat(ipcDir(next.pid())).as("removed on a clean stop").isNull();
        }
    }

    private static java.nio.file.Path ipcDir(long primaryPid) throws java.io.IOException {
        try (var dirs = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")),
                "jcluster-" + primaryPid + "-*")) {
            java.util.Iterator<java.nio.file.Path> it = dirs.iterator();
            return it.hasNext() ? it.next() : null;
        }
    }

    @Test
    void aCrashLoopGivesUpWithTheReasonAndThePrimaryExitsWithStatusOne() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 0, "rr", "tight")) {
            c.command("fork crash");
            for (int id = 1; id <= 3; id++) {
                c.await("EVENT exit " + id + " \\d+ 1 null false");
            }
            assertThat(c.output()).contains("EVENT bootFailure 1 1 MAIN_THREW 1", "EVENT bootFailure 2 1 MAIN_THREW 1");
            c.await("EVENT bootFailure 3 1 MAIN_THREW 1"); // slot 1 each time: a restart takes its slot
            Matcher giveUp = c.await("EVENT giveUp 3 crash (.*)");
            assertThat(giveUp.group(1)).contains("exited with exit code 1", "crash loop", "3 exits within 30 s");
            assertThat(c.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(c.process().exitValue()).isEqualTo(1);
            assertThat(c.output()).doesNotContain("EVENT fork 4");
        }
    }

    @Test
    void messagesGoBothWays() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 1, "rr", "off")) {
            forkedPids(c, 1);
            c.awaitListening(1);
            c.command("send 1 {\"ping\":[1,2,3]}");
            c.await("EVENT message 1 \\{\"echo\":\\{\"ping\":\\[1,2,3\\]\\},\"from\":1\\}");
        }
    }

    @Test
    void forkEnvironmentReachesTheWorker() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 0, "rr", "off")) {
            c.command("fork blue");
            c.await("EVENT message 1 \\{\"env\":\"blue\"\\}");
        }
    }

    @Test
    void aMalformedFrameDropsThatWorkerButNotThePrimary() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "on")) {
            Map<Integer, Long> pids = forkedIds(c, 2);
            int port = c.awaitListening(2);
            long culprit;
            try (LineClient client = new LineClient(port)) {
                culprit = Long.parseLong(client.ask("pid"));
                assertThat(client.ask("garbage")).isEqualTo("sent");
            }
            int id = pids.get(1) == culprit ? 1 : 2;
            c.await("EVENT exit " + id + " " + culprit + " 137 SIGKILL");
            c.await("EVENT listening 3 " + port);
            assertThat(c.process().isAlive()).isTrue();
            assertThat(c.output()).contains("malformed", "dropping worker " + id);
            for (int i = 0; i < 10; i++) {
                assertThat(LineClient.askOnce(port, "pid")).isNotEqualTo(Long.toString(culprit));
            }
        }
    }

    @Test
    void noFdLeakInThePrimaryAfter10000Connections() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "off")) {
            forkedPids(c, 2);
            int port = c.awaitListening(2);
            for (int i = 0; i < 200; i++) {
                LineClient.askOnce(port, "pid"); // warm up: lazily opened fds (epoll, pipes) are counted in the baseline
            }
            int before = ClusterProcess.openFds(c.pid());
            for (int i = 0; i < 10_000; i++) {
                LineClient.askOnce(port, "pid");
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(ClusterProcess.openFds(c.pid())).isLessThanOrEqualTo(before));
        }
    }

    @Test
    void shutdownDrainsAndExits() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "on")) {
            forkedPids(c, 2);
            int port = c.awaitListening(2);
            try (LineClient slow = new LineClient(port)) {
                long pid = Long.parseLong(slow.ask("pid"));
                slow.send("slow 1000");
                c.command("shutdown");
                assertThat(slow.read()).isEqualTo(Long.toString(pid));
            }
            c.await("EVENT stopped");
            assertThat(c.output()).doesNotContain("EVENT fork 3");
        }
    }

    @Test
    void sigtermOnThePrimaryStopsGracefullyWithStatusZero() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 2, "rr", "on")) {
            forkedPids(c, 2); // remembers the workers
            int port = c.awaitListening(2);
            List<ProcessHandle> workers = c.descendants();
            try (LineClient slow = new LineClient(port)) {
                long pid = Long.parseLong(slow.ask("pid"));
                slow.send("slow 800");
                c.process().destroy(); // SIGTERM
                assertThat(slow.read()).isEqualTo(Long.toString(pid));
            }
            assertThat(c.process().waitFor(15, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(c.process().exitValue()).isZero();
            assertThat(workers).allSatisfy(w -> assertThat(w.isAlive()).isFalse());
        }
    }

    @Test
    void heartbeatsReportConnectionsAndABlockedLoopIsReportedUnresponsive() throws Exception {
        try (ClusterProcess c = ClusterProcess.start(0, 1, "rr", "off")) {
            forkedPids(c, 1);
            int port = c.awaitListening(1);
            try (LineClient held = new LineClient(port)) {
                held.ask("pid");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    c.command("stats 1");
                    assertThat(c.await("EVENT stats 1 .*").group()).isEqualTo("EVENT stats 1 1 0 true");
                });
                held.send("block 2500"); // the worker's only event loop stops answering heartbeats
                c.await("EVENT unresponsive 1 true", Duration.ofSeconds(10));
                assertThat(held.read()).isEqualTo("unblocked");
            }
        }
    }

    @Test
    void classDataSharingStaysOffForAClasspathWithDirectories(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cds)
            throws Exception {
        // The test classpath holds target/classes directories, which JDK 17 cannot archive; the worker must not
        // try (a failed dump would turn its clean exit into status 1). The jar case is tested with the CLI's jar.
        try (ClusterProcess c = ClusterProcess.start(Map.of("JCLUSTER_CDS_DIR", cds.toString()), 0, 1, "rr", "off")) {
            Map<Integer, Long> first = forkedIds(c, 1);
            c.awaitListening(1);
            assertThat(cmdline(first.get(1))).doesNotContain("Archive");
            c.command("disconnect 1");
            c.await("EVENT exit 1 " + first.get(1) + " 0 null true");
            try (var files = java.nio.file.Files.list(cds)) {
                assertThat(files).isEmpty();
            }
        }
    }

    private static String cmdline(long pid) throws java.io.IOException {
        return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
    }

    private static Set<Long> forkedPids(ClusterProcess c, int n) throws InterruptedException {
        return new HashSet<>(forkedIds(c, n).values());
    }

    private static Map<Integer, Long> forkedIds(ClusterProcess c, int n) throws InterruptedException {
        Map<Integer, Long> pids = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Matcher m = c.await("EVENT fork (\\d+) (\\d+)");
            pids.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
        }
        c.descendants(); // every forked worker remembered now, before the test acts: close() reaps it even as an orphan
        return pids;
    }
}
