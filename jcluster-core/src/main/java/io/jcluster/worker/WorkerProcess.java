package io.jcluster.worker;

import io.jcluster.cluster.BootFailure;
import io.jcluster.cluster.WorkerState;
import io.jcluster.internal.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: what the worker's JVM process does for the {@link WorkerRuntime}: its signals, a main that throws,
 * and the deadline that ends a graceful stop.
 */
final class WorkerProcess {
    private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);
    private static final long DEFAULT_DRAIN_MILLIS = 10_000;

    private WorkerProcess() {
    }

    /** SIGTERM is a graceful stop; SIGINT is ignored (Ctrl-C reaches the whole group: the primary drains us). */
    static void installSignals(WorkerRuntime r) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> { });
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> r.stop(WorkerRuntime.Stop.SIGTERM));
        } catch (IllegalArgumentException e) {
            log.warn("could not install signal handlers: {}", e.getMessage());
        }
    }

    /**
     * As in Node, an exception that escapes the program's main ends the worker (status 1), so the primary sees
     * a failed boot; otherwise the runtime's threads would keep a worker with a dead main alive forever.
     */
    static void exitWhenMainThrows() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (previous != null) {
                previous.uncaughtException(t, e);
            } else {
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                e.printStackTrace();
            }
            if ("main".equals(t.getName())) {
                WorkerRuntime r = WorkerRuntime.existing();
                if (r != null && r.state() != WorkerState.LISTENING) {
                    r.bootFailed(BootFailure.Cause.MAIN_THREW, e.toString());
                }
                Exit.now(1, 1000);
            }
        });
    }

    /**
     * A stop began: at the drain deadline ({@value WorkerRuntime#ENV_DRAIN}, the primary's shutdown timeout) the
     * worker exits with {@code status} whatever is still open, so a graceful stop never leaves it running (an
     * idle raw TCP connection would otherwise hold it forever).
     */
    static void exitAtDrainDeadline(int workerId, int status) {
        long drainMillis = drainMillis();
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(drainMillis);
            } catch (InterruptedException e) {
                return; // only the JVM's exit interrupts it
            }
            log.warn("worker {}: connections still open {} ms after the stop began; closing them and exiting",
                    workerId, drainMillis);
            Exit.now(status, 1000);
        }, "jcluster-drain-deadline");
        deadline.setDaemon(true);
        deadline.start();
    }

    private static long drainMillis() {
        String v = System.getenv(WorkerRuntime.ENV_DRAIN);
        try {
            return v == null || v.isBlank() ? DEFAULT_DRAIN_MILLIS : Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            log.warn("{}={} is not a number of milliseconds; draining at most {} ms", WorkerRuntime.ENV_DRAIN, v,
                    DEFAULT_DRAIN_MILLIS);
            return DEFAULT_DRAIN_MILLIS;
        }
    }
}
