package io.jcluster.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue item 4: many {@code Connection: close} connections, then the primary's fd count and heap are back to
 * their baseline. Heap is the used heap after a full GC ({@code jcmd PID GC.run}, then {@code GC.heap_info});
 * the primary runs the serial collector, so after a full GC the young generation is empty and the figure is
 * the live set. Workers' fds are reported too.
 */
public final class Leaks {
    public static final int WORKERS = 2;
    /** Heap growth allowed after the run: GC noise, not a leak (10,000 connections × 50 B would be 500 KiB). */
    public static final long HEAP_SLACK_KB = 256;

    private Leaks() {
    }

    public static Outcome run(Form form) throws Exception {
        Outcome out = new Outcome("4. leaks: " + String.format("%,d", form.leakConnections())
                + " Connection: close connections");
        int port = Support.freePort();
        try (ClusterRun c = ClusterRun.start(ClusterRun.options(port, WORKERS, "backoff"))) {
            c.awaitListening(WORKERS, Duration.ofSeconds(60));
            long primary = c.pid();
            List<Long> workers = new ArrayList<>(c.listening().values());
            // Warm-up: lazily created buffers, caches and fds belong in the baseline.
            run(port, Math.min(5000, form.leakConnections() / 5 + 1));
            // Its connections are let go (none left in the primary's or a worker's fds) before the baseline.
            Support.within(Duration.ofSeconds(10), () -> Procs.peerPortsHeldBy(primary, port).isEmpty()
                    && workers.stream().allMatch(w -> Procs.peerPortsHeldBy(w, port).isEmpty()));
            // The heap first: jcmd's first use starts the primary's attach listener, which keeps a socket open.
            long heapBefore = Math.min(Procs.usedHeapAfterGcKb(primary), Procs.usedHeapAfterGcKb(primary));
            int fdBefore = Procs.fdCount(primary);
            List<Integer> workerFdBefore = workers.stream().map(Procs::fdCount).toList();

            long t0 = System.nanoTime();
            LoadClient.Result r = run(port, form.leakConnections());
            long ms = Support.millisSince(t0);

            boolean fdBack = Support.within(Duration.ofSeconds(10), () -> Procs.fdCount(primary) <= fdBefore);
            int fdAfter = Procs.fdCount(primary);
            Support.within(Duration.ofSeconds(10), () -> {
                for (int i = 0; i < workers.size(); i++) {
                    if (Procs.fdCount(workers.get(i)) > workerFdBefore.get(i)) {
                        return false;
                    }
                }
                return true;
            });
            List<Integer> workerFdAfter = workers.stream().map(Procs::fdCount).toList();
            long heapAfter = Procs.usedHeapAfterGcKb(primary);
            // A second reading: a single full GC can leave a few soft or finalizable objects behind.
            if (heapAfter > heapBefore + HEAP_SLACK_KB) {
                Thread.sleep(1000);
                heapAfter = Math.min(heapAfter, Procs.usedHeapAfterGcKb(primary));
            }
            long growth = heapAfter - heapBefore;
            boolean workersFlat = true;
            for (int i = 0; i < workers.size(); i++) {
                workersFlat &= workerFdAfter.get(i) <= workerFdBefore.get(i);
            }

            out.figure("connections", String.format("%,d in %.1f s (%.0f conn/s), 8 client threads", r.connections(),
                            ms / 1000.0, r.connections() * 1000.0 / Math.max(1, ms)))
                    .figure("requests", r.sent() + " sent, " + r.ok() + " ok, " + (r.failed() + r.connectFailed()) + " failed")
                    .figure("answers by status", r.byStatus())
                    .figure("primary fd count before / after", fdBefore + " / " + fdAfter)
                    .figure("primary heap used after full GC, before / after", heapBefore + " KiB / " + heapAfter
                            + " KiB (" + (growth >= 0 ? "+" : "") + growth + " KiB)")
                    .figure("workers' fd counts before / after", workerFdBefore + " / " + workerFdAfter);
            out.row(String.format("%,d `Connection: close` connections, 8 client threads", r.connections()), "—",
                    r.sent(), Outcome.causes(r), "primary fds " + fdBefore + " → " + fdAfter + ", heap "
                            + (growth >= 0 ? "+" : "") + growth + " KiB; workers' fds " + workerFdBefore + " → "
                            + workerFdAfter);
            out.goal("every connection answered 2xx", r.ok() == form.leakConnections() && r.notOk() == 0,
                    r.summary());
            out.goal("primary fd count back to baseline", fdBack, fdBefore + " -> " + fdAfter);
            out.goal("primary heap back to baseline (±" + HEAP_SLACK_KB + " KiB)", growth <= HEAP_SLACK_KB,
                    growth + " KiB");
            out.goal("workers' fd counts back to baseline", workersFlat, workerFdBefore + " -> " + workerFdAfter);
        }
        return out;
    }

    /** {@code n} requests, each on its own connection, as fast as 8 threads go. */
    static LoadClient.Result run(int port, int n) throws InterruptedException {
        return new LoadClient(LoadClient.Config.of(port, 0, 8, Duration.ofMinutes(10)).maxRequests(n)
                .sourceAddresses(8)).start().join();
    }
}
