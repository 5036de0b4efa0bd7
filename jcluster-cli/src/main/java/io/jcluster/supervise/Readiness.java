package io.jcluster.supervise;

import io.jcluster.contract.Units;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * When a new worker is ready to take over: it listens through the cluster (or is online, while no worker of this
 * cluster ever listened through it) and holds its own listening sockets on the ports the worker it replaces held
 * ({@link OwnPorts}). Every wait has a deadline.
 */
final class Readiness {
    private final Fleet fleet;
    private final Duration readyTimeout;

    Readiness(Fleet fleet, Duration readyTimeout) {
        this.fleet = fleet;
        this.readyTimeout = readyTimeout;
    }

    /** The deadline for workers started now. */
    long deadline() {
        return System.nanoTime() + readyTimeout.toNanos();
    }

    /**
     * Null once {@code m} is ready, else why not ({@code "exited (…) before it listened"}, {@code "did not listen
     * within 60s"}). {@code cancel} (may be null) ends the wait.
     */
    String await(Member m, long deadlineNanos, Set<Integer> ownPorts, CompletableFuture<?> cancel)
            throws InterruptedException {
        boolean viaCluster = fleet.everListened();
        CompletableFuture<?> ready = viaCluster ? m.worker.listening() : m.worker.online();
        boolean listen = viaCluster || !ownPorts.isEmpty();
        String what = listen ? "listen" : "come online";
        String past = listen ? "listened" : "came online";
        CompletableFuture<?> stop = cancel == null ? new CompletableFuture<>() : cancel;
        for (;;) {
            long left = deadlineNanos - System.nanoTime();
            // A worker's own ports are seen in /proc, not announced: look again every 50 ms once it is online.
            long wait = ownPorts.isEmpty() || !ready.isDone() ? left : Math.min(left, TimeUnit.MILLISECONDS.toNanos(50));
            try {
                CompletableFuture.anyOf(ready, m.worker.exited(), stop).get(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // checked below
            } catch (ExecutionException e) {
                return "failed: " + e.getCause();
            }
            if (m.worker.exited().isDone()) {
                return "exited (" + m.worker.exited().join() + ") before it " + past
                        + (ownPorts.isEmpty() ? "" : " (on its own port(s) " + ownPorts + ", as the worker it replaces does)");
            }
            if (stop.isDone()) {
                return "was cancelled before it " + past;
            }
            if (ready.isDone() && OwnPorts.holds(m.pid, ownPorts)) {
                return null;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return "did not " + what + (ownPorts.isEmpty() ? "" : " on its own port(s) " + ownPorts) + " within "
                        + Units.formatDuration(readyTimeout);
            }
        }
    }
}
