package io.jcluster.supervise;

import io.jcluster.logs.LogSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Replaces one worker for a {@link RecyclePolicy}: the replacement first, of the same generation; once it is ready the
 * old worker is drained (or, hung, dumped and killed). A replacement that is not ready is abandoned and the old worker
 * kept (tried again after {@value #RETRY_SECONDS} s), unless the old one is hung: it is killed anyway.
 */
final class Recycle {
    static final int RETRY_SECONDS = 60;
    private final Fleet fleet;
    private final FleetSpec spec;
    private final Readiness readiness;
    private final LogSink log;
    private final ScheduledExecutorService timer;
    /** Workers being recycled (or kept after a failed try, until the retry): each is recycled once. */
    private final Set<Integer> recycling = ConcurrentHashMap.newKeySet();

    Recycle(Fleet fleet, FleetSpec spec, Readiness readiness, LogSink log, ScheduledExecutorService timer) {
        this.fleet = fleet;
        this.spec = spec;
        this.readiness = readiness;
        this.log = log;
        this.timer = timer;
    }

    /** True for the first request to recycle {@code m} (the operation is then to be run). */
    boolean claim(Member m) {
        return !fleet.stopping() && recycling.add(m.id);
    }

    void run(Member m, String why, RecyclePolicy.Leave leave) throws Exception {
        if (fleet.stopping() || m.worker.exited().isDone()) {
            return;
        }
        boolean hung = leave == RecyclePolicy.Leave.DUMP_AND_KILL;
        log.warn("recycling " + m.label() + ": " + why);
        fleet.events().publish(ClusterEvents.event("recycle", m.worker).put("reason", why));
        if (hung) {
            dumpThreads(m, why);
        }
        Member fresh = HotSpares.forkLike(fleet, m.generation(), m); // a spare is recycled into a spare
        String r = readiness.await(fresh, readiness.deadline(), Set.of(), null);
        if (r != null) {
            if (hung) {
                log.warn("the replacement " + fresh.label() + " " + r + "; killing the hung " + m.label() + " anyway");
                fleet.retire(m, Duration.ZERO, why).get(Supervisor.KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                fleet.abandon(fresh);
                log.warn("kept " + m.label() + ": its replacement " + fresh.label() + " " + r);
                timer.schedule(() -> recycling.remove(m.id), RETRY_SECONDS, TimeUnit.SECONDS);
            }
            return;
        }
        fleet.retire(m, hung ? Duration.ZERO : spec.drainTimeout(), "recycled: " + why)
                .get(spec.drainTimeout().plus(Supervisor.KILL_GRACE).toMillis(), TimeUnit.MILLISECONDS);
    }

    private void dumpThreads(Member m, String why) {
        List<String> dump = ThreadDumper.dump(m.pid);
        if (dump != null) {
            List<String> block = new ArrayList<>();
            block.add("----- thread dump taken by the primary: " + why + " -----");
            block.addAll(dump);
            block.add("----- end of thread dump -----");
            log.workerBlock(m.id, m.pid, block);
        }
        java.nio.file.Path file = LogSink.workerFile(log.dir(), m.id);
        log.event("thread dump of " + m.label() + " saved to " + file);
        fleet.events().publish(ClusterEvents.event("hang", m.worker).put("reason", why).put("dumpFile", file.toString()));
    }

    /** Forgets workers that left. */
    void retain(Set<Integer> live) {
        recycling.retainAll(live);
    }
}
