package io.jcluster.primary;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restart policy at work: after a worker exits by itself, its slot's {@link RestartTracker} decides; a
 * restart is scheduled (with its back-off) into the same slot, or the slot is given up, and when no worker is
 * left and none is coming the cluster cannot run. Supervisor thread only.
 */
final class Restarts {
    private static final Logger log = LoggerFactory.getLogger(Restarts.class);

    /**
     * What the restarts need of the primary: whether it is stopping; {@code spawn} starts a worker into a slot (it
     * throws when it cannot); whether no worker is left; {@code cannotRun}: a slot was given up and no worker is
     * left, the cluster stops with status 1.
     */
    record Cluster(BooleanSupplier stopping, Consumer<Slot> spawn, BooleanSupplier noWorkers, Runnable cannotRun) { }

    private final ScheduledExecutorService supervisor;
    private final KeepAlive keepAlive;
    private final Events events;
    private final Cluster cluster;
    private int scheduled;

    Restarts(ScheduledExecutorService supervisor, KeepAlive keepAlive, Events events, Cluster cluster) {
        this.supervisor = supervisor;
        this.keepAlive = keepAlive;
        this.events = events;
        this.cluster = cluster;
    }

    /** {@code last} is the slot's last worker (dead, or the one whose replacement could not start). */
    void afterCrash(WorkerHandle last, long uptimeMillis, String what) {
        Slot slot = last.slot;
        if (slot.cancelled) {
            log.debug("{}; its slot {} is not restarted (cancelled)", what, slot.number);
            return;
        }
        RestartTracker.Decision d = slot.restarts.onCrash(System.currentTimeMillis(), uptimeMillis);
        if (d.restart()) {
            scheduled++;
            keepAlive.retain();
            if (!d.delay().isZero()) {
                log.info("{}; restarting in {} ms", what, d.delay().toMillis());
            }
            supervisor.schedule(() -> {
                scheduled--;
                try {
                    if (!cluster.stopping().getAsBoolean() && !slot.cancelled) {
                        cluster.spawn().accept(slot);
                    }
                } catch (RuntimeException e) {
                    log.error("restart of worker slot {} failed: {}", slot.number, e.getMessage());
                    afterCrash(last, 0, "worker slot " + slot.number + " could not start");
                } finally {
                    keepAlive.release();
                }
            }, d.delay().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        log.error("{}; not restarting worker slot {}: {}", what, slot.number, d.reason());
        events.giveUp.fire(l -> l.accept(last, what + "; " + d.reason()));
        if (cluster.noWorkers().getAsBoolean() && scheduled == 0 && !cluster.stopping().getAsBoolean()) {
            log.error("no worker can run; the primary exits with status 1");
            cluster.cannotRun().run();
        }
    }
}
