package io.jcluster.reliability;

import io.jcluster.testkit.RealProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Issue item 8: a worker whose main throws at boot. The primary must back off between restarts, stop with a
 * crash-loop message that names the cause, fork no more (no busy loop: the forks are counted over time), and
 * exit with a non-zero status. The restart policy is {@code BACKOFF.withMaxRestarts(3, 30 s)
 * .withBackoff(200 ms, ×2, 2 s)}: each slot is started 4 times, the 2nd restart after 200 ms, the 3rd after
 * 400 ms. Two variants: the main throws before touching the cluster API, and after (the worker is then
 * already connected to its primary when its main dies).
 */
public final class BootFailure {
    public static final int WORKERS = 2;
    public static final int MAX_RESTARTS = 3;

    private BootFailure() {
    }

    public static Outcome beforeInit(Form form) throws Exception {
        return run("8a. boot failure: the worker's main throws (before touching the cluster)", "throw", form);
    }

    public static Outcome afterInit(Form form) throws Exception {
        return run("8b. boot failure: the worker's main throws after connecting to the primary", "throw-after-init", form);
    }

    static Outcome run(String title, String mode, Form form) throws Exception {
        Outcome out = new Outcome(title);
        Path tmp = Files.createTempDirectory("jcluster-reliability-tmp-");
        int port = Support.freePort();
        // The long form holds the restart window to 30 s. Under load (verify beside other builds) four boots of a
        // slot can take longer than that, and the guard would then rightly never trip: the short form gives the
        // same limit a 180 s window, and the primary 170 s to stop (at load 66 a boot that throws took 30 s).
        long windowS = form.strict() ? 30 : 180;
        long waitS = form.strict() ? 20 : 170;
        ReliabilityApp.Options o = ClusterRun.options(port, WORKERS, form.strict() ? "boot" : "boot-loaded");
        o.workerMode = mode;
        try (ClusterRun c = ClusterRun.start(o.toArgs(), List.of("-Djava.io.tmpdir=" + tmp), Map.of())) {
            long t0 = System.nanoTime();
            Integer status = c.waitFor(Duration.ofSeconds(waitS));
            long exitMs = Support.millisSince(t0);
            boolean exited = status != null;
            // Forks over time, and exits.
            List<RealProcess.Line> lines = c.lines();
            List<Long> forkMs = new ArrayList<>();
            int exits = 0;
            for (RealProcess.Line l : lines) {
                if (l.text().startsWith("EVENT fork ")) {
                    forkMs.add((l.nanos() - t0) / 1_000_000);
                } else if (l.text().startsWith("EVENT exit ")) {
                    exits++;
                }
            }
            String crashLoop = lines.stream().map(RealProcess.Line::text).filter(t -> t.contains("crash loop"))
                    .findFirst().orElse(null);
            String exitLine = lines.stream().map(RealProcess.Line::text)
                    .filter(t -> t.contains("no worker can run")).findFirst().orElse(null);
            boolean causeShown = c.output().contains(ReliabilityApp.BOOM);
            // Per second of the run, how many forks (a busy loop would show hundreds).
            Map<Long, Integer> perSecond = new TreeMap<>();
            forkMs.forEach(ms -> perSecond.merge(ms / 1000, 1, Integer::sum));
            int maxPerSecond = perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            int expectedForks = WORKERS * (MAX_RESTARTS + 1);
            boolean dirRemoved = Orphans.list(tmp).isEmpty();
            List<ProcessHandle> left = c.descendants();

            out.figure("workers", WORKERS + ", restart BACKOFF, at most " + MAX_RESTARTS
                            + " restarts a slot in " + windowS + " s, back-off 200 ms ×2 up to 2 s")
                    .figure("forks", forkMs.size() + " at " + forkMs + " ms (expected " + expectedForks + ")")
                    .figure("most forks in one second", maxPerSecond)
                    .figure("worker exits seen", exits)
                    .figure("crash-loop message", crashLoop == null ? "none" : crashLoop.replaceAll("^\\[[^]]*] ", ""))
                    .figure("stop message", exitLine == null ? "none" : exitLine.replaceAll("^\\[[^]]*] ", ""))
                    .figure("the worker's exception in the output", causeShown)
                    .figure("primary exit status", exited ? status + " after " + exitMs + " ms" : "still running after " + waitS + " s");
            out.row("—", "every worker's main throws (" + WORKERS + " slots)", 0, "—",
                    (left.isEmpty() ? "no process" : left.size() + " PROCESSES") + ", IPC directory "
                            + (dirRemoved ? "removed" : "LEFT") + "; " + forkMs.size() + " forks, primary exit " + status);
            out.goal("the primary exits with a non-zero status", exited && status != 0, String.valueOf(status));
            out.goal("a crash-loop message that names the cause", crashLoop != null && crashLoop.contains("exit code 1")
                    && exitLine != null, crashLoop == null ? c.tail(15) : crashLoop);
            out.goal("the worker's own error is shown", causeShown, "");
            out.goal("no busy loop: each slot started " + (MAX_RESTARTS + 1) + " times, then no more",
                    forkMs.size() == expectedForks && maxPerSecond <= expectedForks, forkMs.toString());
            out.goal("back-off between restarts", backedOff(forkMs), forkMs.toString());
            out.goal("no process left", left.isEmpty(), left.toString());
            out.goal("the IPC directory is removed on exit", dirRemoved, Orphans.list(tmp).toString());
        } finally {
            Orphans.deleteTree(tmp);
        }
        return out;
    }

    /** The forks of the run spread out: the last restarts come at least 200 + 400 ms after the first starts. */
    static boolean backedOff(List<Long> forkMs) {
        if (forkMs.size() < 2) {
            return false;
        }
        return forkMs.get(forkMs.size() - 1) - forkMs.get(0) >= 600;
    }
}
