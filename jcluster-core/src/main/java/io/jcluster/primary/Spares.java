package io.jcluster.primary;

import io.jcluster.cluster.WorkerState;
import java.util.ArrayList;
import java.util.List;

/**
 * The hot spares: workers that boot and listen but get no connection until promoted. A promotion is decided here,
 * under this object's lock (the I/O loop decides at a death, the supervisor thread at an exit, any thread through
 * {@code Worker.promote}), and carried out on the I/O loop ({@link Dispatcher#promote}).
 *
 * <p>A promotion in place of a worker that died also moves the spare role between slots: the promoted worker's
 * slot is no spare any more, and the dead worker's slot is, so the restart policy's replacement of the dead worker
 * comes up as the next spare. The numbers in and out of rotation stay what they were, with no boot on the path of
 * the failover.
 */
final class Spares {
    private final java.util.function.BooleanSupplier stopping;
    private final java.util.function.Consumer<WorkerHandle> intoRotation;
    /** Spares in fork order (the oldest is promoted first). Guarded by {@code this}. */
    private final List<WorkerHandle> spares = new ArrayList<>();

    /** {@code intoRotation} puts a promoted worker into rotation on the I/O loop (inline when called there). */
    Spares(java.util.function.BooleanSupplier stopping, java.util.function.Consumer<WorkerHandle> intoRotation) {
        this.stopping = stopping;
        this.intoRotation = intoRotation;
    }

    /**
     * {@code dead}, a worker in rotation, died (its fd link ended, or its exit was seen: whichever comes first):
     * the oldest spare takes its place now. Not while the cluster stops.
     */
    void replace(WorkerHandle dead) {
        WorkerHandle s = stopping.getAsBoolean() ? null : promoteFor(dead);
        if (s != null) {
            org.slf4j.LoggerFactory.getLogger(Spares.class).info("spare worker {} (pid {}) promoted in place of worker {}"
                    + " (pid {})", s.id(), s.pid(), dead.id(), dead.pid());
            intoRotation.accept(s);
        }
    }

    /** Puts {@code w}, a spare, into rotation now ({@code Worker.promote}). */
    boolean promoteNow(WorkerHandle w) {
        if (!promote(w)) {
            return false;
        }
        intoRotation.accept(w);
        return true;
    }

    synchronized void forked(WorkerHandle w) {
        if (w.isSpare()) {
            spares.add(w);
        }
    }

    /**
     * The spare to promote in place of {@code dead}, a worker in rotation that died; null when {@code dead} was a
     * spare, was stopped on purpose, is replaced already, or no spare is left. Prefers the oldest that listens, else the oldest alive.
     */
    synchronized WorkerHandle promoteFor(WorkerHandle dead) {
        if (dead.isSpare() || dead.stopRequested() || dead.replacedBySpare) {
            return null;
        }
        WorkerHandle pick = null;
        for (WorkerHandle s : spares) {
            if (alive(s) && s.state() == WorkerState.LISTENING) {
                pick = s;
                break;
            }
        }
        if (pick == null) {
            for (WorkerHandle s : spares) {
                if (alive(s)) {
                    pick = s;
                    break;
                }
            }
        }
        if (pick == null) {
            return null;
        }
        dead.replacedBySpare = true;
        dead.slot.spare = true;
        take(pick);
        return pick;
    }

    /** {@code w} goes into rotation; false when it is not a spare any more or is gone. */
    synchronized boolean promote(WorkerHandle w) {
        if (!w.isSpare() || !alive(w)) {
            return false;
        }
        take(w);
        return true;
    }

    /** The worker exited: forgotten. */
    synchronized void exited(WorkerHandle w) {
        spares.remove(w);
    }

    synchronized int count() {
        return spares.size();
    }

    private void take(WorkerHandle s) {
        spares.remove(s);
        s.slot.spare = false;
        s.promoted();
    }

    private static boolean alive(WorkerHandle w) {
        return !w.isDead() && !w.stopRequested() && w.state() != WorkerState.DISCONNECTING;
    }
}
