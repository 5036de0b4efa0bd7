package io.jcluster.reliability;

import io.jcluster.reliability.LoadClient.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The soak: mixed load (keep-alive and {@code Connection: close}) for {@code reliability.soak.minutes} minutes
 * (30 by default) while, every minute, one worker is {@code kill -9}'d, every worker is replaced (a rolling
 * reload: fork, wait for it to listen, disconnect an old one) and the cluster is scaled up by one and back down.
 *
 * <p>Each minute is its own load run, so figures and failures are per cycle and the client's memory stays
 * bounded. The primary's RSS, fds and threads are sampled at the start of every cycle, when the cluster is at
 * its size and the previous cycle's load has ended, so the samples compare like with like; the heap in use after
 * a full GC is sampled with them (the live set: a leak shows there first). Goals: those four
 * flat (the last samples against the first ones after a warm-up cycle), no failure outside a kill window (a
 * failure is the kill's when its connection was in the killed worker's fd table, as in {@link Chaos}), no
 * non-2xx answer, and every worker back at the end.
 */
public final class Soak {
    static final int WORKERS = 3;

    /**
     * A request with no answer in 30 s is a failure. (The other scenarios wait 5 s; a soak runs long enough to
     * meet the machine at its busiest, where a worker that has just started can take seconds over its first
     * requests: that is latency, reported as such, not a lost request.)
     */
    static final int READ_TIMEOUT_MS = 30_000;

    private Soak() {
    }

    /** One sample of the primary: resident set, heap in use after a full GC (kB), open fds, threads. */
    record Sample(int cycle, long rssKb, long liveHeapKb, int fds, int threads) { }

    /**
     * The primary's JVM flags as {@code bin/jcluster} gives them (a heap that grows and shrinks with its use), so
     * that its RSS tracks what it holds rather than how much of a fixed heap the collector has touched so far.
     */
    static final List<String> PRIMARY_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-XX:MaxHeapFreeRatio=40",
            "-XX:MinHeapFreeRatio=10", "-XX:CICompilerCount=2", "-XX:ReservedCodeCacheSize=32m");

    public static Outcome run(Form form) throws Exception {
        int minutes = Integer.getInteger("reliability.soak.minutes", form == Form.LONG ? 30 : 2);
        Duration cycle = Duration.ofSeconds(Long.getLong("reliability.soak.cycle.seconds", 60));
        Outcome out = new Outcome("10. soak: " + minutes + " × " + cycle.toSeconds()
                + " s of mixed load, each with a kill -9, a rolling reload and a scale up and down");
        int port = Support.freePort();
        ClusterRun c = ClusterRun.start(ClusterRun.options(port, WORKERS, "chaos").toArgs(), PRIMARY_FLAGS, Map.of());
        try {
            c.awaitListening(WORKERS, Duration.ofSeconds(120));
            Chaos.warmUp(port);
            long primary = c.pid();
            Random random = new Random(7);
            List<Sample> samples = new ArrayList<>();
            long sent = 0;
            long ok = 0;
            long non2xx = 0;
            long inKillWindows = 0;
            List<Failure> outside = new ArrayList<>();
            List<String> overHeld = new ArrayList<>();
            List<String> stepErrors = new ArrayList<>();
            long worstReloadMs = 0;
            long worstP99Micros = 0;
            for (int i = 0; i < minutes; i++) {
                samples.add(sample(i, primary));
                LoadClient load = new LoadClient(LoadClient.Config.of(port, 8, 8, cycle).sourceAddresses(16)
                        .readTimeoutMs(READ_TIMEOUT_MS)).start();
                long t0 = System.nanoTime();
                List<Attribution.Kill> kills = new ArrayList<>();
                try {
                    sleepUntil(t0, cycle.multipliedBy(1).dividedBy(10));
                    kills.add(kill(c, port, random));
                    awaitReplaced(c, kills.get(kills.size() - 1));
                    sleepUntil(t0, cycle.multipliedBy(3).dividedBy(10));
                    long r0 = System.nanoTime();
                    rolling(c);
                    worstReloadMs = Math.max(worstReloadMs, Support.millisSince(r0));
                    sleepUntil(t0, cycle.multipliedBy(7).dividedBy(10));
                    scaleUpAndDown(c);
                } catch (Exception e) {
                    stepErrors.add("cycle " + i + ": " + e);
                    System.out.println("soak cycle " + i + ": " + e + "\n" + c.tail(30));
                }
                LoadClient.Result r = load.join();
                sent += r.sent();
                ok += r.ok();
                non2xx += r.non2xx();
                worstP99Micros = Math.max(worstP99Micros, r.percentileMicros(0.99));
                Attribution.Verdict v = Attribution.judge(r.failures(), kills);
                inKillWindows += v.held().size();
                outside.addAll(v.other());
                overHeld.addAll(v.overHeld());
                System.out.printf("soak cycle %d/%d: %s; primary %s%n", i + 1, minutes, r.summary(), samples.get(i));
                if (!stepErrors.isEmpty()) {
                    break; // the cluster is not in a known state: stop and report
                }
            }
            boolean allBack = Support.within(Duration.ofSeconds(120), () -> c.listening().size() == WORKERS);
            // The baseline is taken a third of the way in: by then the JIT has compiled the hot paths and every
            // pool (Netty's buffers, the IPC links' queues) has met the load; growth after it is what a leak looks like.
            int baseline = Math.min(Math.max(1, minutes / 3), samples.size());
            if (baseline < samples.size()) {
                // The last cycle's connections and workers are let go: the primary's fds and threads back within
                // the goals' slack of the baseline's. A leak never gets there: after 30 s it is sampled as it is.
                Sample base = samples.get(baseline);
                Support.within(Duration.ofSeconds(30), () -> Procs.fdCount(primary) <= base.fds() + 2
                        && threads(primary) <= base.threads() + 2);
            }
            samples.add(sample(samples.size(), primary));
            Sample first = samples.get(baseline);
            Sample last = samples.get(samples.size() - 1);
            long rssMax = samples.stream().mapToLong(Sample::rssKb).max().orElse(0);
            out.figure("workers", WORKERS + " (restart at once after 1 s up)")
                    .figure("load", "per cycle: 8 keep-alive + 8 Connection: close connections over 16 source addresses")
                    .figure("cycles done", (samples.size() - 1) + " of " + minutes)
                    .figure("requests sent", sent)
                    .figure("succeeded", ok)
                    .figure("non-2xx answers", non2xx)
                    .figure("failures in kill windows (connections the killed worker held)", inKillWindows)
                    .figure("failures outside kill windows", outside.size())
                    .figure("worst cycle's p99 latency", worstP99Micros / 1000 + " ms")
                    .figure("slowest rolling reload of " + WORKERS + " workers", worstReloadMs + " ms")
                    .figure("primary RSS (flags of bin/jcluster), baseline (cycle " + first.cycle() + ") / at the end / max", kb(first.rssKb()) + " / " + kb(last.rssKb())
                            + " / " + kb(rssMax))
                    .figure("primary heap in use after a full GC, baseline / at the end",
                            kb(first.liveHeapKb()) + " / " + kb(last.liveHeapKb()))
                    .figure("primary fds, baseline / at the end", first.fds() + " / " + last.fds())
                    .figure("primary threads, baseline / at the end", first.threads() + " / " + last.threads())
                    .figure("primary RSS per cycle (MB)", samples.stream().map(s -> kb(s.rssKb()).replace(" MB", ""))
                            .toList());
            int done = samples.size() - 1;
            out.row("8 keep-alive + 8 `Connection: close` connections, " + done + " × " + cycle.toSeconds() + " s",
                    done + " kill -9, " + done + " rolling reloads of " + WORKERS + " workers, " + done
                            + " scales up and down", sent,
                    inKillWindows + " on connections the killed workers held; " + outside.size() + " elsewhere; "
                            + non2xx + " non-2xx",
                    "primary: fds " + first.fds() + " → " + last.fds() + ", threads " + first.threads() + " → "
                            + last.threads() + ", RSS " + kb(first.rssKb()) + " → " + kb(last.rssKb())
                            + ", live heap " + kb(first.liveHeapKb()) + " → " + kb(last.liveHeapKb()));
            out.goal("every cycle's steps ran (kill, reload, scale)", stepErrors.isEmpty(), String.join("; ", stepErrors));
            out.goal("0 failures outside kill windows", outside.isEmpty(), Chaos.describe(outside));
            out.goal("no kill with more failures than connections its victim held", overHeld.isEmpty(),
                    String.join("; ", overHeld));
            out.goal("0 non-2xx answers", non2xx == 0, non2xx + "");
            out.goal("primary fds flat", last.fds() <= first.fds() + 2, first.fds() + " -> " + last.fds());
            out.goal("primary threads flat", last.threads() <= first.threads() + 2, first.threads() + " -> " + last.threads());
            out.goal("primary RSS flat (within 10 % of the baseline)", last.rssKb() <= first.rssKb() * 11 / 10,
                    kb(first.rssKb()) + " -> " + kb(last.rssKb()));
            out.goal("primary heap after a full GC flat (within 1 MB or 10 % of the baseline)",
                    last.liveHeapKb() <= first.liveHeapKb() + Math.max(1024, first.liveHeapKb() / 10),
                    kb(first.liveHeapKb()) + " -> " + kb(last.liveHeapKb()));
            out.goal("all workers back", allBack, c.listening().size() + " of " + WORKERS + " listening");
            out.goal("the primary stayed up", c.process().isAlive(), "");
        } finally {
            String left = "";
            try {
                c.close(); // SIGKILL of the primary and every process it started; waits until each is gone
            } catch (AssertionError e) {
                left = e.getMessage();
            }
            out.goal("no process of the cluster left once it is killed", left.isEmpty(), left);
        }
        return out;
    }

    /** SIGSTOP a random listening worker, read the client ports of the connections it holds, then SIGKILL it. */
    private static Attribution.Kill kill(ClusterRun c, int port, Random random) throws Exception {
        List<Map.Entry<Integer, Long>> live = new ArrayList<>(c.listening().entrySet());
        if (live.size() < 2) {
            throw new IllegalStateException("fewer than 2 workers listening before the kill: " + live);
        }
        Map.Entry<Integer, Long> victim = live.get(random.nextInt(live.size()));
        long pid = victim.getValue();
        Procs.signal(pid, "STOP");
        Support.within(Duration.ofSeconds(1), () -> Procs.state(pid) == 'T');
        long stop = System.nanoTime();
        Set<Integer> ports = Procs.peerPortsHeldBy(pid, port);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        return new Attribution.Kill(victim.getKey(), pid, stop, ports);
    }

    /** The killed worker's replacement listens (generous: on a saturated 2-core machine a JVM boots in tens of s). */
    private static void awaitReplaced(ClusterRun c, Attribution.Kill k) throws InterruptedException {
        if (!Support.within(Duration.ofSeconds(120), () -> c.listening().size() == WORKERS
                && !c.listening().containsValue(k.pid()))) {
            throw new IllegalStateException("the killed worker " + k.id() + " was not replaced in 120 s");
        }
    }

    /** Every worker replaced, one at a time: fork, wait for the new one to listen, disconnect an old one. */
    private static void rolling(ClusterRun c) throws Exception {
        for (Map.Entry<Integer, Long> old : c.listening().entrySet()) {
            String id = forkAndListen(c);
            c.command("disconnect " + old.getKey());
            c.await("^EVENT exit " + old.getKey() + " " + old.getValue() + " 0 null true", Duration.ofSeconds(60));
            if (id == null) {
                throw new IllegalStateException("no fork event");
            }
        }
    }

    /** Up by one worker, then the oldest one disconnected: back to {@link #WORKERS}. */
    private static void scaleUpAndDown(ClusterRun c) throws Exception {
        Map.Entry<Integer, Long> oldest = c.listening().entrySet().iterator().next();
        forkAndListen(c);
        c.command("disconnect " + oldest.getKey());
        c.await("^EVENT exit " + oldest.getKey() + " " + oldest.getValue() + " 0 null true", Duration.ofSeconds(60));
    }

    private static String forkAndListen(ClusterRun c) throws Exception {
        c.skipPending();
        c.command("fork");
        String id = c.await("^EVENT fork (\\d+) (\\d+)", Duration.ofSeconds(30)).group(1);
        c.await("^EVENT listening " + id + " ", Duration.ofSeconds(120));
        return id;
    }

    private static void sleepUntil(long t0, Duration offset) throws InterruptedException {
        long wait = t0 + offset.toNanos() - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000);
        }
    }

    static Sample sample(int cycle, long pid) throws IOException, InterruptedException {
        long live = Procs.usedHeapAfterGcKb(pid); // a full GC first, so the RSS below is read after it too
        return new Sample(cycle, status(pid, "VmRSS:"), live, Procs.fdCount(pid), (int) status(pid, "Threads:"));
    }

    /** The primary's threads now; -1 when it is gone. */
    private static int threads(long pid) {
        try {
            return (int) status(pid, "Threads:");
        } catch (IOException e) {
            return -1;
        }
    }

    /** The number on the line of /proc/PID/status that starts with {@code field} (0 when there is none). */
    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return 0;
    }

    private static String kb(long kb) {
        return String.format("%.1f MB", kb / 1024.0);
    }
}
