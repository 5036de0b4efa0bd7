package io.jcluster.supervise;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import io.jcluster.contract.Units;
import io.jcluster.logs.LogSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Stops the cluster: no more operations, the core's shutdown (no restarts, every worker retired: drained, killed
 * at the deadline); {@code fast} kills the workers at once. A second stop while one runs, when fast, kills what is
 * left. Completes with the primary's exit status once every worker has exited.
 */
final class Stop {
    private final Fleet fleet;
    private final LogSink log;
    private final Runnable endOperations;
    private final CompletableFuture<Integer> terminated = new CompletableFuture<>();

    Stop(Fleet fleet, LogSink log, Runnable endOperations) {
        this.fleet = fleet;
        this.log = log;
        this.endOperations = endOperations;
    }

    CompletableFuture<Integer> terminated() {
        return terminated;
    }

    CompletableFuture<Integer> run(Duration deadline, boolean fast, String why) {
        if (!fleet.beginStop()) {
            if (fast) {
                log.warn(why + ": killing the workers now");
                Cluster.workers().values().forEach(w -> w.retire(Duration.ZERO));
            }
            return terminated;
        }
        fleet.events().message("stopping", why + (fast ? ": stopping now (workers killed)"
                : ": stopping gracefully (deadline " + Units.formatDuration(deadline) + ")"));
        if (fast) {
            List<Worker> all = List.copyOf(Cluster.workers().values());
            log.event(why + ": stopping now (workers killed): " + all.size() + " worker(s)");
            all.forEach(w -> w.retire(Duration.ZERO)); // killed here, so the core's deadline below only names stragglers
        } else {
            log.event(why + ": stopping gracefully (deadline " + Units.formatDuration(deadline) + ")");
        }
        endOperations.run();
        Cluster.shutdown(fast ? Supervisor.KILL_GRACE : deadline).whenComplete((v, e) -> {
            log.event("all workers stopped");
            terminated.complete(0);
        });
        return terminated;
    }
}
