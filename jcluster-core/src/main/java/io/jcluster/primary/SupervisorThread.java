package io.jcluster.primary;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Internal: the primary's one supervisor thread ({@code jcluster-supervisor}), which owns every worker's lifecycle
 * state and runs every listener, and {@link #call}, which runs a task there and waits for it (or runs it at once
 * when already there, so a listener may call the API).
 */
final class SupervisorThread {
    private volatile Thread thread;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jcluster-supervisor");
        t.setDaemon(true);
        thread = t;
        return t;
    });

    ScheduledExecutorService executor() {
        return executor;
    }

    /** Runs {@code task} on the supervisor thread and returns its result; its runtime exceptions are rethrown here. */
    <T> T call(Callable<T> task) {
        if (Thread.currentThread() == thread) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return executor.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
