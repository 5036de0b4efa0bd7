package io.jcluster.reliability;

import io.jcluster.reliability.LoadClient.Failure;
import io.jcluster.reliability.LoadClient.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Issue item 2: the graceful paths under load lose nothing: {@code disconnect()} of a worker, a rolling
 * replacement of every worker (fork a new one, wait for its listening event, disconnect an old one), and
 * SIGTERM of the primary (in-flight requests finish, then exit 0; connections made after the signal may be
 * refused and are counted apart; those the kernel accepted are answered: the stop serves the accept queue).
 */
public final class Graceful {
    public static final int WORKERS = 2;

    private Graceful() {
    }

    static LoadClient.Config load(int port, Form form) {
        return LoadClient.Config.of(port, 6, 6, form.graceful());
    }

    /** 2a: one worker disconnects while keep-alive and close connections hammer the cluster. */
    public static Outcome disconnect(Form form) throws Exception {
        return disconnect(form, "rr");
    }

    /** 2a under the NONE policy: the disconnecting worker closes its copy of the shared socket, the other accepts. */
    public static Outcome disconnectNone(Form form) throws Exception {
        return disconnect(form, "none");
    }

    static Outcome disconnect(Form form, String policy) throws Exception {
        boolean none = policy.equals("none");
        Outcome out = new Outcome("2a" + (none ? "n" : "") + ". disconnect() of a worker under load"
                + (none ? " (NONE policy)" : ""));
        int port = Support.freePort();
        ReliabilityApp.Options o = ClusterRun.options(port, WORKERS, "backoff");
        o.policy = policy;
        try (ClusterRun c = ClusterRun.start(o)) {
            c.awaitListening(WORKERS, Duration.ofSeconds(60));
            Chaos.warmUp(port);
            LoadClient load = new LoadClient(load(port, form)).start();
            Thread.sleep(form.graceful().toMillis() / 3);
            int id = c.listening().keySet().iterator().next();
            long pid = c.listening().get(id);
            long t0 = System.nanoTime();
            c.skipPending();
            c.command("disconnect " + id);
            var exit = c.await("^EVENT exit " + id + " " + pid + " (\\S+) (\\S+) (\\S+)", Duration.ofSeconds(30));
            long drainMs = Support.millisSince(t0);
            LoadClient.Result r = load.join();
            out.figure("load", "6 keep-alive + 6 Connection: close connections, " + form.graceful().toSeconds() + " s")
                    .figure("requests sent", r.sent())
                    .figure("succeeded", r.ok())
                    .figure("failed", r.failed() + r.connectFailed())
                    .figure("non-2xx answers", r.non2xx())
                    .figure("answers by status", r.byStatus())
                    .figure("worker exit", "code " + exit.group(1) + ", exitedAfterDisconnect " + exit.group(3)
                            + ", " + drainMs + " ms after disconnect()");
            addFailureFigures(out, r.failures());
            out.row("6 keep-alive + 6 `Connection: close` connections, " + form.graceful().toSeconds() + " s"
                            + (none ? ", NONE policy" : ""), "`disconnect()` of 1 of " + WORKERS + " workers", r.sent(),
                    Outcome.causes(r), "the worker exited, code " + exit.group(1));
            out.goal("0 failed", r.failed() + r.connectFailed() == 0, Chaos.describe(r.failures()));
            out.goal("0 non-2xx", r.non2xx() == 0, r.byStatus());
            out.goal("the worker exited with code 0 after disconnect", exit.group(1).equals("0")
                    && exit.group(3).equals("true"), exit.group());
            out.goal("the other worker kept serving", c.listening().size() == WORKERS - 1, c.listening().toString());
        }
        return out;
    }

    /** 2b: every worker replaced, one at a time: fork, wait for listening, disconnect an old one. */
    public static Outcome rolling(Form form) throws Exception {
        Outcome out = new Outcome("2b. rolling replacement of every worker under load");
        int port = Support.freePort();
        try (ClusterRun c = ClusterRun.start(ClusterRun.options(port, WORKERS, "backoff"))) {
            c.awaitListening(WORKERS, Duration.ofSeconds(60));
            Chaos.warmUp(port);
            Map<Integer, Long> old = c.listening();
            LoadClient.Config cfg = load(port, form);
            // Long enough for every replacement: a new JVM starts and listens in about a second here.
            cfg = new LoadClient.Config(cfg.host(), cfg.port(), cfg.keepAliveConnections(), cfg.closeConnections(),
                    cfg.path(), Duration.ofMinutes(5), cfg.maxRequests(), cfg.readTimeoutMs(), 0, 1);
            LoadClient load = new LoadClient(cfg).start();
            long t0 = System.nanoTime();
            Thread.sleep(500);
            List<String> steps = new ArrayList<>();
            for (Map.Entry<Integer, Long> w : old.entrySet()) {
                long s = System.nanoTime();
                c.skipPending();
                c.command("fork");
                var fork = c.await("^EVENT fork (\\d+) (\\d+)", Duration.ofSeconds(30));
                String newId = fork.group(1);
                c.await("^EVENT listening " + newId + " ", Duration.ofSeconds(60));
                c.command("disconnect " + w.getKey());
                c.await("^EVENT exit " + w.getKey() + " " + w.getValue() + " 0 null true", Duration.ofSeconds(30));
                steps.add(w.getKey() + "->" + newId + " " + Support.millisSince(s) + " ms");
            }
            long left = form.graceful().toMillis() - Support.millisSince(t0);
            Thread.sleep(Math.max(1000, left));
            load.stop();
            LoadClient.Result r = load.join();
            boolean replaced = c.listening().size() == WORKERS
                    && c.listening().keySet().stream().noneMatch(old::containsKey);
            out.figure("load", "6 keep-alive + 6 Connection: close connections, " + String.format("%.1f s", r.seconds()))
                    .figure("replacements", String.join(", ", steps))
                    .figure("requests sent", r.sent())
                    .figure("succeeded", r.ok())
                    .figure("failed", r.failed() + r.connectFailed())
                    .figure("non-2xx answers", r.non2xx())
                    .figure("answers by status", r.byStatus());
            addFailureFigures(out, r.failures());
            out.row("6 keep-alive + 6 `Connection: close` connections, " + String.format("%.0f s", r.seconds()),
                    "every worker replaced, one at a time (fork, listen, `disconnect()`)", r.sent(), Outcome.causes(r),
                    c.listening().size() + " workers, all new");
            out.goal("0 failed", r.failed() + r.connectFailed() == 0, Chaos.describe(r.failures()));
            out.goal("0 non-2xx", r.non2xx() == 0, r.byStatus());
            out.goal("every old worker replaced, " + WORKERS + " listening", replaced, c.listening().toString());
        }
        return out;
    }

    /** 2c: SIGTERM of the primary under load: requests in flight finish, then the primary exits 0. */
    public static Outcome sigterm(Form form) throws Exception {
        Outcome out = new Outcome("2c. SIGTERM of the primary under load");
        int port = Support.freePort();
        try (ClusterRun c = ClusterRun.start(ClusterRun.options(port, WORKERS, "backoff"))) {
            c.awaitListening(WORKERS, Duration.ofSeconds(60));
            Chaos.warmUp(port);
            List<ProcessHandle> workers = c.descendants();
            LoadClient load = new LoadClient(load(port, form)).start();
            Thread.sleep(form.graceful().toMillis() / 3);
            long signal = System.nanoTime();
            c.process().destroy(); // SIGTERM
            Integer status = c.waitFor(Duration.ofSeconds(30));
            long exitMs = Support.millisSince(signal);
            Thread.sleep(500); // connections after the exit are refused: count a few
            load.stop();
            LoadClient.Result r = load.join();
            boolean workersGone = workers.stream().noneMatch(ProcessHandle::isAlive);

            List<Failure> before = new ArrayList<>();
            List<Failure> madeAfter = new ArrayList<>();
            long refusedAfter = 0;
            for (Failure f : r.failures()) {
                if (f.phase() == Phase.CONNECT) {
                    refusedAfter += f.failNanos() >= signal ? 1 : 0;
                    if (f.failNanos() < signal) {
                        before.add(f);
                    }
                } else if (f.connectNanos() < signal) {
                    before.add(f);
                } else {
                    madeAfter.add(f);
                }
            }
            out.figure("load", "6 keep-alive + 6 Connection: close connections")
                    .figure("requests sent", r.sent())
                    .figure("succeeded", r.ok())
                    .figure("failed on connections made before the signal", before.size())
                    .figure("failed on connections the kernel accepted after the signal (reset)", madeAfter.size())
                    .figure("connections refused after the signal (expected)", refusedAfter)
                    .figure("non-2xx answers", r.non2xx())
                    .figure("answers by status", r.byStatus())
                    .figure("primary exit", (status == null ? "still running" : "status " + status) + ", "
                            + exitMs + " ms after SIGTERM");
            addFailureFigures(out, before);
            out.row("6 keep-alive + 6 `Connection: close` connections", "SIGTERM of the primary", r.sent(),
                    Outcome.causes(r) + " (" + before.size() + " on connections made before the signal, "
                            + madeAfter.size() + " reset after it, " + refusedAfter + " refused after it: expected)",
                    (workersGone ? "no worker" : "WORKERS LEFT") + "; primary exit " + status);
            out.goal("0 failed among requests on connections made before the signal", before.isEmpty(),
                    Chaos.describe(before));
            out.goal("0 non-2xx", r.non2xx() == 0, r.byStatus());
            out.goal("the primary exited with status 0", status != null && status == 0, String.valueOf(status));
            out.goal("every worker exited", workersGone, workers.toString());
            // The stop serves the listening socket's accept queue before closing it: what the kernel accepted
            // (connect() returned) is answered. Left: a handshake completing in the microseconds between the last
            // accept and the close (Linux cannot stop handshakes on a listener but by closing it). Before the fix:
            // 4-6 a run. The short form allows a few more: on a loaded machine the workers' Acks of what the stop
            // handed them may take longer than the 5 s the stop waits.
            long allowed = form.bound(1, 3);
            out.goal("connections the kernel accepted after the signal are answered: at most " + allowed
                    + " reset (the close race)", madeAfter.size() <= allowed, Chaos.describe(madeAfter));
        }
        return out;
    }

    static void addFailureFigures(Outcome out, List<Failure> failures) {
        if (failures.isEmpty()) {
            return;
        }
        long ka = failures.stream().filter(Failure::keepAlive).count();
        long reusedNoResponse = failures.stream()
                .filter(f -> f.keepAlive() && !f.newConnection() && f.phase() == Phase.NO_RESPONSE).count();
        long newNoResponse = failures.stream().filter(f -> f.newConnection() && f.phase() == Phase.NO_RESPONSE).count();
        out.figure("failures by kind", Chaos.describe(failures))
                .figure("  on keep-alive / close connections", ka + " / " + (failures.size() - ka))
                .figure("  reused keep-alive connection closed before any response byte", reusedNoResponse)
                .figure("  new connection closed before any response byte", newNoResponse);
    }
}
