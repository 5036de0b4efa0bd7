package io.jcluster.reliability;

import io.jcluster.reliability.Attribution.Kill;
import io.jcluster.reliability.LoadClient.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Issue item 1: keep-alive and {@code Connection: close} load while a random worker is killed with
 * {@code kill -9} every 2 s, restart on.
 *
 * <p>To know exactly which connections a killed worker held, each kill is {@code SIGSTOP}, a read of the
 * stopped worker's sockets (/proc/PID/fd matched against /proc/net/tcp*: the client-side ports of the
 * connections it owns), then {@code SIGKILL}. A stopped process takes no new connection (the primary's copy
 * of anything handed to it and not yet acknowledged goes to another worker when it dies), so the set is
 * exact. A failure is the killed worker's when its connection existed at the kill and its port is in the set;
 * {@link Attribution} judges it: no failure on a connection no victim held, and no victim with more failures
 * than connections it held. Answers other than 2xx count as failures too.
 *
 * <p>{@link #runNone} is the same under the NONE policy (the workers accept on the shared socket).
 */
public final class Chaos {
    public static final int WORKERS = 3;

    private Chaos() {
    }

    public static Outcome run(Form form) throws Exception {
        return run(form, "rr");
    }

    /** The NONE policy: the workers accept on the shared socket themselves. */
    public static Outcome runNone(Form form) throws Exception {
        return run(form, "none");
    }

    static Outcome run(Form form, String policy) throws Exception {
        boolean none = policy.equals("none");
        Outcome out = new Outcome("1" + (none ? "n" : "") + ". chaos" + (none ? " (NONE policy)" : "")
                + ": kill -9 of a random worker every " + form.killEvery().toSeconds()
                + " s under load (" + form.chaos().toSeconds() + " s)");
        int port = Support.freePort();
        ReliabilityApp.Options o = ClusterRun.options(port, WORKERS, "chaos");
        o.policy = policy;
        try (ClusterRun c = ClusterRun.start(o)) {
            c.awaitListening(WORKERS, Duration.ofSeconds(60));
            warmUp(port);
            long primary = c.pid();
            int fdBefore = Procs.fdCount(primary);

            LoadClient load = new LoadClient(LoadClient.Config.of(port, 8, 8, form.chaos())).start();
            List<Kill> kills = new ArrayList<>();
            int skipped = 0;
            Random random = new Random(42);
            long end = System.nanoTime() + form.chaos().toNanos();
            long next = System.nanoTime() + form.killEvery().toNanos();
            while (next < end - 500_000_000L) {
                Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                next += form.killEvery().toNanos();
                List<Map.Entry<Integer, Long>> live = new ArrayList<>(c.listening().entrySet());
                if (live.size() < 2) {
                    skipped++; // never kill the last serving worker: that is an outage, not chaos
                    continue;
                }
                Map.Entry<Integer, Long> victim = live.get(random.nextInt(live.size()));
                long pid = victim.getValue();
                Procs.signal(pid, "STOP");
                Support.within(Duration.ofSeconds(1), () -> Procs.state(pid) == 'T');
                long stop = System.nanoTime(); // from here on the worker takes nothing new
                Set<Integer> ports = Procs.peerPortsHeldBy(pid, port);
                kills.add(new Kill(victim.getKey(), pid, stop, ports));
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
            }
            LoadClient.Result r = load.join();

            long restoreStart = System.nanoTime();
            boolean allBack = Support.within(Duration.ofSeconds(30), () -> c.listening().size() == WORKERS);
            long restoreMs = Support.millisSince(restoreStart);
            long restored = c.lines().stream().filter(l -> l.text().matches("^EVENT listening (\\d+) .*")
                    && Integer.parseInt(l.text().split(" ")[2]) > WORKERS).count();
            // Each worker listening now takes its share of new connections (none was left out of the rotation).
            // Under NONE the kernel chooses which worker accepts, and need not spread: there, every new
            // connection must be answered, by whichever worker.
            java.util.Map<Long, Integer> answering = Support.answeringPids(port, 30 * WORKERS);
            java.util.Set<Long> listeningPids = new java.util.TreeSet<>(c.listening().values());
            boolean allServe = none ? listeningPids.containsAll(answering.keySet())
                    : answering.keySet().equals(listeningPids);
            boolean fdFlat = Support.within(Duration.ofSeconds(5), () -> Procs.fdCount(primary) <= fdBefore);
            int fdAfter = Procs.fdCount(primary);

            Attribution.Verdict v = Attribution.judge(r.failures(), kills);
            List<Failure> other = v.other();
            long otherNew = v.otherOnNewConnections();

            out.figure("workers", WORKERS + " (restart: back-off, reset after 1 s up)" + (none ? ", policy NONE" : ""))
                    .figure("load", "8 keep-alive + 8 Connection: close connections, " + form.chaos().toSeconds() + " s")
                    .figure("requests sent", r.sent())
                    .figure("succeeded", r.ok())
                    .figure("failed", r.failed() + r.connectFailed())
                    .figure("non-2xx answers", r.non2xx())
                    .figure("answers by status", r.byStatus())
                    .figure("throughput", String.format("%.0f req/s", r.rate()))
                    .figure("kills (kill -9)", kills.size() + (skipped > 0 ? " (" + skipped + " skipped: <2 listening)" : ""))
                    .figure("connections the killed workers held", v.heldConnections())
                    .figure("failures on those connections", v.held().size())
                    .figure("failures / connections held, per kill", perKill(v))
                    .figure("most failures on one such connection", v.worstPerConnection())
                    .figure("failures on other connections", other.size() + " (" + otherNew + " on new connections)")
                    .figure("workers restored (replacements listening)", restored)
                    .figure("all workers back", allBack + " (" + restoreMs + " ms after the load)")
                    .figure("primary fd count before / after", fdBefore + " / " + fdAfter)
                    .figure("new connections per worker after the chaos (pid: count)", answering);
            out.row("8 keep-alive + 8 `Connection: close` connections, " + form.chaos().toSeconds() + " s, "
                            + WORKERS + " workers" + (none ? ", NONE policy" : ""),
                    kills.size() + " × kill -9 of a listening worker, every " + form.killEvery().toSeconds() + " s",
                    r.sent(), Outcome.causes(r) + " (" + v.held().size() + " on the " + v.heldConnections()
                            + " connections the victims held, " + other.size() + " elsewhere)",
                    "primary fds " + fdBefore + " → " + fdAfter);
            out.goal("the only failures are on connections a killed worker held", other.isEmpty(),
                    other.isEmpty() ? "" : describe(other) + " " + diagnose(other, kills));
            out.goal("no killed worker has more failures than connections it held", v.overHeld().isEmpty(),
                    v.overHeld().isEmpty() ? "" : String.join("; ", v.overHeld()));
            out.goal("0 non-2xx answers", r.non2xx() == 0, r.byStatus());
            out.goal("no failure on new connections", otherNew == 0, otherNew + " failed");
            out.goal("every killed worker was replaced", restored >= kills.size(), restored + " of " + kills.size()
                    + (restored >= kills.size() ? "" : "; kills (id pid): " + kills.stream()
                    .map(k -> k.id() + " " + k.pid()).toList() + "; lifecycle: " + c.lines().stream()
                    .map(l -> l.text()).filter(t -> t.matches("^EVENT (fork|listening|exit) .*")).toList()));
            out.goal("all workers back", allBack, c.listening().size() + " of " + WORKERS + " listening");
            out.goal(none ? "new connections after the chaos are answered by listening workers"
                            : "every worker listening after the chaos takes new connections", allServe,
                    "listening " + listeningPids + ", answering " + answering);
            out.goal("primary fd count flat", fdFlat, fdBefore + " -> " + fdAfter);
            out.goal("the primary stayed up", c.process().isAlive(), "");
            out.goal("requests were served", r.ok() > 0, r.ok() + " ok");
        }
        return out;
    }

    /** "F/H" per kill, in kill order. */
    static String perKill(Attribution.Verdict v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.kills().size(); i++) {
            b.append(i == 0 ? "" : " ").append(v.perKill().get(i)).append('/').append(v.kills().get(i).ports().size());
        }
        return b.toString();
    }

    /** For each failure: when it happened and when its connection was made, relative to the nearest kill. */
    static String diagnose(List<Failure> failures, List<Kill> kills) {
        StringBuilder b = new StringBuilder();
        for (Failure f : failures.subList(0, Math.min(10, failures.size()))) {
            Kill nearest = null;
            for (Kill k : kills) {
                if (nearest == null || Math.abs(f.failNanos() - k.stopNanos()) < Math.abs(f.failNanos() - nearest.stopNanos())) {
                    nearest = k;
                }
            }
            List<Integer> inSets = new ArrayList<>();
            for (int i = 0; i < kills.size(); i++) {
                if (kills.get(i).ports().contains(f.localPort())) {
                    inSets.add(i + 1);
                }
            }
            b.append("[port ").append(f.localPort());
            if (nearest != null) {
                b.append(": failed ").append((f.failNanos() - nearest.stopNanos()) / 1_000_000).append(" ms after stopping worker ")
                        .append(nearest.id()).append(", connected ")
                        .append(f.connectNanos() == 0 ? "never" : (f.connectNanos() - nearest.stopNanos()) / 1_000_000 + " ms after it");
            }
            b.append(", in the port sets of kills ").append(inSets).append(", requests before ").append(f.requestsBefore())
                    .append("] ");
        }
        return b.toString();
    }

    /** A short load on fresh workers, so that lazily opened fds and the JIT are in the baseline. */
    static void warmUp(int port) throws InterruptedException {
        new LoadClient(LoadClient.Config.of(port, 2, 2, Duration.ofMillis(1500))).start().join();
    }

    static String describe(List<Failure> failures) {
        StringBuilder b = new StringBuilder();
        Map<String, Integer> kinds = new HashMap<>();
        for (Failure f : failures) {
            kinds.merge((f.keepAlive() ? "keep-alive" : "close") + "/" + f.phase()
                    + (f.newConnection() ? "/new" : "/reused") + ": " + f.error().replaceAll("\\d+", "N"), 1, Integer::sum);
        }
        kinds.forEach((k, v) -> b.append(v).append("× ").append(k).append("; "));
        return b.toString();
    }
}
