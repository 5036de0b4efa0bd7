package io.jcluster.reliability;

import io.jcluster.reliability.LoadClient.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * The way out that operations use ({@code Worker.retire(drain)}: what {@code jcluster scale} and a reload do to a
 * worker): a disconnect, then SIGKILL at the drain deadline. Two scenarios under load: a scale-down (workers
 * retired while clients hammer the cluster lose nothing), and the deadline itself (a worker that will not finish
 * is killed at the deadline, not before, and the primary carries on).
 */
public final class Retire {
    /** Workers before the scale-down; one is left. */
    public static final int SCALE_FROM = 3;
    /** The drain deadline of the deadline scenario (the cluster's own shutdown timeout, 10 s, is left longer). */
    public static final long DEADLINE_MS = 3000;

    private Retire() {
    }

    /** 2d: {@value #SCALE_FROM} workers to 1, both retired at once (drain 10 s) under keep-alive and close load. */
    public static Outcome scaleDown(Form form) throws Exception {
        Outcome out = new Outcome("2d. scale-down under load: " + SCALE_FROM + " workers to 1 (retire)");
        int port = Support.freePort();
        try (ClusterRun c = ClusterRun.start(ClusterRun.options(port, SCALE_FROM, "backoff"))) {
            c.awaitListening(SCALE_FROM, Duration.ofSeconds(60));
            Chaos.warmUp(port);
            List<Map.Entry<Integer, Long>> before = new ArrayList<>(c.listening().entrySet());
            Map.Entry<Integer, Long> kept = before.get(0);
            List<Map.Entry<Integer, Long>> retired = before.subList(1, before.size());
            LoadClient load = new LoadClient(Graceful.load(port, form)).start();
            Thread.sleep(form.graceful().toMillis() / 3);
            long t0 = System.nanoTime();
            c.skipPending();
            for (Map.Entry<Integer, Long> w : retired) {
                c.command("retire " + w.getKey() + " 10000");
            }
            List<String> exits = new ArrayList<>();
            boolean allClean = true;
            for (Map.Entry<Integer, Long> w : retired) { // in any order: every line since the start is looked at
                Support.within(Duration.ofSeconds(60), () -> exitLine(c, w) != null);
                Matcher m = exitLine(c, w);
                if (m == null) {
                    throw new AssertionError("worker " + w.getKey() + " did not exit within 60 s; output:\n" + c.tail(30));
                }
                allClean &= m.group(1).equals("0") && m.group(3).equals("true");
                exits.add(w.getKey() + ": code " + m.group(1) + ", after disconnect " + m.group(3));
            }
            long scaleMs = Support.millisSince(t0);
            LoadClient.Result r = load.join();
            Map<Long, Integer> answering = Support.answeringPids(port, 20);
            boolean restarted = c.lines().stream().anyMatch(l -> l.nanos() >= t0 && l.text().startsWith("EVENT fork "));

            out.figure("load", "6 keep-alive + 6 Connection: close connections, " + form.graceful().toSeconds() + " s")
                    .figure("retired", exits + ", all exited " + scaleMs + " ms after the retire")
                    .figure("requests sent", r.sent())
                    .figure("succeeded", r.ok())
                    .figure("failed", r.failed() + r.connectFailed())
                    .figure("answers by status", r.byStatus())
                    .figure("new connections after (pid: count)", answering);
            Graceful.addFailureFigures(out, r.failures());
            out.row("6 keep-alive + 6 `Connection: close` connections, " + form.graceful().toSeconds() + " s",
                    "scale " + SCALE_FROM + " → 1 (`retire`)", r.sent(), Outcome.causes(r),
                    "1 worker; the retired ones exited: " + allClean);
            out.goal("0 failed (errors, failed connects and non-2xx)", r.notOk() == 0,
                    Chaos.describe(r.failures()) + " " + r.byStatus());
            out.goal("each retired worker exited with code 0 after a disconnect", allClean, exits.toString());
            out.goal("the worker kept takes every new connection", answering.keySet().equals(Set.of(kept.getValue()))
                    && c.listening().size() == 1, "kept " + kept + ", answering " + answering);
            out.goal("no retired worker was restarted", !restarted, "");
        }
        return out;
    }

    /**
     * 2e: a worker whose event loop is stuck in a request (the app holds it 60 s) is retired with a drain of
     * {@value #DEADLINE_MS} ms: it cannot finish, so the primary kills it (SIGKILL) at the deadline, not before;
     * the other worker serves on, and new connections go to it. Load runs throughout: failures are allowed only
     * on connections the stuck worker held (read from /proc while it is stuck: it takes nothing new then).
     */
    public static Outcome drainDeadline(Form form) throws Exception {
        Outcome out = new Outcome("2e. drain deadline: a worker that will not finish is killed at the deadline");
        int port = Support.freePort();
        ReliabilityApp.Options o = ClusterRun.options(port, 2, "backoff");
        // A connection the stuck worker took in the wake-up that then blocked was never acknowledged: after the
        // kill the primary hands it to the other worker, which waits for a request (its bytes were read by the
        // dead one) until the headers timeout. 2 s keeps the scenario short.
        o.headersTimeoutMs = 2000;
        try (ClusterRun c = ClusterRun.start(o)) {
            c.awaitListening(2, Duration.ofSeconds(60));
            Chaos.warmUp(port);
            Map<Integer, Long> workers = c.listening();
            LoadClient load = new LoadClient(LoadClient.Config.of(port, 2, 2, Duration.ofMinutes(2))
                    .readTimeoutMs(30_000)).start();
            try (Socket hold = holdingRequest(port)) {
                // The worker that took it says so from the handler, on its event loop, which then sleeps 60 s: from
                // that line on, the loop takes no connection, so the set of connections read below cannot grow.
                long stuckPid = Long.parseLong(c.await("^EVENT sleeping (\\d+) ", Duration.ofSeconds(30)).group(1));
                Map.Entry<Integer, Long> stuck = workers.entrySet().stream().filter(w -> w.getValue() == stuckPid)
                        .findFirst().orElseThrow(() -> new AssertionError("the held request went to " + stuckPid
                                + ", not one of the workers " + workers + "; output:\n" + c.tail(30)));
                // Its fds hold the connection (read until seen: /proc/net/tcp is not a snapshot).
                if (!Support.within(Duration.ofSeconds(20),
                        () -> Procs.peerPortsHeldBy(stuckPid, port).contains(hold.getLocalPort()))) {
                    throw new AssertionError("worker " + stuckPid + " does not hold the held request's connection");
                }
                Set<Integer> held = Procs.peerPortsHeldBy(stuck.getValue(), port);
                long other = -1;
                for (long p : workers.values()) {
                    if (p != stuck.getValue()) {
                        other = p;
                    }
                }
                c.skipPending();
                long t0 = System.nanoTime();
                c.command("retire " + stuck.getKey() + " " + DEADLINE_MS);
                Matcher exit = c.await("^EVENT exit " + stuck.getKey() + " " + stuck.getValue() + " (\\S+) (\\S+) (\\S+)",
                        Duration.ofSeconds(60));
                long exitMs = Support.millisSince(t0);
                long exited = System.nanoTime();
                String holdEnd = ending(hold) + ", " + Support.millisSince(exited) + " ms after the exit event";
                Thread.sleep(500);
                load.stop();
                LoadClient.Result r = load.join();
                List<Failure> elsewhere = r.failures().stream()
                        .filter(f -> f.connectNanos() == 0 || !held.contains(f.localPort())).toList();
                Map<Long, Integer> answering = Support.answeringPids(port, 20);
                boolean restarted = c.lines().stream()
                        .anyMatch(l -> l.nanos() >= t0 && l.text().startsWith("EVENT fork "));
                long late = form.bound(1000, 10_000);

                out.figure("workers", "2; the stuck one held " + held.size() + " client connections")
                        .figure("drain deadline", DEADLINE_MS + " ms (the workers' own: 10,000 ms)")
                        .figure("stuck worker's exit", exit.group(2) + " (code " + exit.group(1) + "), " + exitMs
                                + " ms after the retire")
                        .figure("the held request", holdEnd)
                        .figure("load", "2 keep-alive + 2 Connection: close connections: " + r.summary())
                        .figure("answers by status", r.byStatus())
                        .figure("failures on connections the stuck worker held / elsewhere",
                                (r.failures().size() - elsewhere.size()) + " / " + elsewhere.size())
                        .figure("new connections after (pid: count)", answering);
                Graceful.addFailureFigures(out, r.failures());
                out.row("2 keep-alive + 2 `Connection: close` connections", "retire of a worker stuck in a request, "
                                + DEADLINE_MS + " ms drain deadline", r.sent(), Outcome.causes(r) + " ("
                                + (r.failures().size() - elsewhere.size()) + " on the stuck worker's connections, "
                                + elsewhere.size() + " elsewhere)",
                        "stuck worker " + exit.group(2) + " at " + exitMs + " ms");
                out.goal("the stuck worker was killed with SIGKILL", "SIGKILL".equals(exit.group(2)), exit.group());
                out.goal("not before the deadline", exitMs >= DEADLINE_MS, exitMs + " ms");
                out.goal("at the deadline (within " + late + " ms after it)", exitMs <= DEADLINE_MS + late,
                        exitMs + " ms");
                out.goal("the held request got no answer and its connection ended", holdEnd.startsWith("ended"),
                        holdEnd);
                out.goal("no failure on a connection the stuck worker did not hold", elsewhere.isEmpty(),
                        Chaos.describe(elsewhere));
                out.goal("0 non-2xx", r.non2xx() == 0, r.byStatus());
                out.goal("the primary carries on: the other worker takes every new connection",
                        c.process().isAlive() && answering.keySet().equals(Set.of(other))
                                && c.listening().containsValue(other), "other " + other + ", answering " + answering);
                out.goal("the retired worker was not restarted", !restarted, "");
            }
        }
        return out;
    }

    /** The worker's exit event (groups: code, signal, exitedAfterDisconnect), or null before it. */
    static Matcher exitLine(ClusterRun c, Map.Entry<Integer, Long> w) {
        java.util.regex.Pattern exit = java.util.regex.Pattern.compile(
                "^EVENT exit " + w.getKey() + " " + w.getValue() + " (\\S+) (\\S+) (\\S+)");
        for (io.jcluster.testkit.RealProcess.Line l : c.lines()) {
            Matcher m = exit.matcher(l.text());
            if (m.find()) {
                return m;
            }
        }
        return null;
    }

    /** A keep-alive connection whose request holds a worker's event loop for 60 s. */
    static Socket holdingRequest(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write("GET /sleep?ms=60000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** How the held request's connection ended, reading for at most 20 s. */
    static String ending(Socket s) throws IOException {
        s.setSoTimeout(20_000);
        InputStream in = s.getInputStream();
        try {
            int b = in.read();
            return b < 0 ? "ended: closed, no answer" : "answered (" + (char) b + "…)";
        } catch (SocketTimeoutException e) {
            return "still open 20 s after the exit";
        } catch (IOException e) {
            return "ended: " + e.getMessage() + ", no answer";
        }
    }
}
