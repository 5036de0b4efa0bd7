package io.jcluster.supervise;

import io.jcluster.contract.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The first start: the wanted workers are forked, then the boot waits until each listens, the core reports a boot
 * failure (the first one decides), or the ready timeout passes (then the stragglers keep running, with a warning).
 */
final class Boot {
    private final Fleet fleet;
    private final FleetSpec spec;
    /** The first boot problem the core reported; completed from its supervisor thread. */
    private final CompletableFuture<BootProblem> problem = new CompletableFuture<>();

    // Waits on Member.listened, not Worker.listening(): the core completes its future before the listeners run, and
    // the "listening on" lines and the addresses must be in before "is up" is printed.
    Boot(Fleet fleet, FleetSpec spec) {
        this.fleet = fleet;
        this.spec = spec;
    }

    /** A listen error or a boot failure the core reported; only the first one counts, and only while booting. */
    void failed(BootProblem p) {
        problem.complete(p);
    }

    BootResult run() throws Exception {
        int n = spec.instances();
        fleet.target(n);
        List<Member> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            started.add(fleet.fork(1));
        }
        for (int i = 0; i < spec.spares(); i++) {
            started.add(HotSpares.fork(fleet, 1));
        }
        CompletableFuture<?> allListen = CompletableFuture.allOf(started.stream().map(m -> m.listened)
                .toArray(CompletableFuture[]::new));
        try {
            CompletableFuture.anyOf(allListen, problem).get(spec.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // the stragglers are named below
        }
        if (problem.isDone()) {
            return new BootResult(problem.join(), List.of(), Set.of(), 0);
        }
        List<String> warnings = new ArrayList<>();
        for (Member m : started) {
            if (!m.listened.isDone()) {
                warnings.add(m.label() + " is " + (m.worker.online().isDone() ? "online but not listening" : "not online")
                        + " after " + Units.formatDuration(spec.readyTimeout()) + "; it keeps running"
                        + (spec.expectedPort() == null ? "" : " (the application was expected to bind "
                        + spec.expectedPort() + ")"));
            }
        }
        fleet.booted();
        problem.cancel(false); // later failures are no boot's business
        return new BootResult(null, warnings, fleet.addresses(), n);
    }
}
