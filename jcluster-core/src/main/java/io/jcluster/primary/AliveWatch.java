package io.jcluster.primary;

import io.jcluster.cluster.WorkerState;
import io.jcluster.internal.AliveLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's side of each worker's alive lock ({@link AliveLock}): made before the worker starts, watched once
 * its links are up, and, when its holder dies, the worker's death told on its fd link's loop, before that link
 * ends. A worker stopping on purpose, or whose link ended first, is left to the usual path.
 */
final class AliveWatch {
    private static final Logger log = LoggerFactory.getLogger(AliveWatch.class);

    /** What the primary does at a death (a spare takes the worker's place, it leaves the rotation): on the loop. */
    private final Consumer<WorkerHandle> died;

    AliveWatch(Consumer<WorkerHandle> died) {
        this.died = died;
    }

    /** Before the worker whose IPC socket is {@code socket} starts: its lock's file, unlocked. */
    static void create(WorkerHandle w, Path socket) {
        if (AliveLock.AVAILABLE) {
            try {
                AliveLock.create(AliveLock.of(socket));
            } catch (IOException e) {
                log.warn("worker {}: {}; its death will be seen when its links end", w.id(), e.getMessage());
            }
        }
    }

    /** Its file, when the worker has exited or could not start. */
    static void delete(Path socket) {
        IpcDirectory.delete(AliveLock.of(socket));
    }

    /**
     * Both of {@code w}'s links are up, and the worker took its lock before it connected: a thread waits on it, and
     * the file goes (both processes have it mapped). Called on the I/O loop.
     */
    void watch(WorkerHandle w, Path socket) {
        Path file = AliveLock.of(socket);
        FdLink link = w.fdLink();
        if (!AliveLock.AVAILABLE || link == null || !Files.exists(file)) {
            return;
        }
        // Made now: the first death would otherwise pay for linking the lambda (4-6 ms on a 2-core host).
        Runnable onLoop = () -> {
            if (link.channel.isOpen() && !leavingOnPurpose(w)) {
                died.accept(w);
            }
        };
        try {
            AliveLock.watch(file, "jcluster-alive-" + w.id(), r -> released(w, link, r, onLoop));
        } catch (IOException e) {
            log.warn("worker {}: {}; its death will be seen when its links end", w.id(), e.getMessage());
        }
        IpcDirectory.delete(file);
    }

    /**
     * On the watcher thread. {@code r} 1: the holder died, so the worker is exiting, however it ends; 0: it held
     * none (no library on its side); below 0: the wait failed.
     */
    private static void released(WorkerHandle w, FdLink link, int r, Runnable onLoop) {
        if (r < 0) {
            log.warn("worker {}: waiting on its alive lock failed (errno {}); its death will be seen when its links end",
                    w.id(), -r);
        } else if (r == 1 && link.channel.isOpen() && !leavingOnPurpose(w)) {
            // Logged before the loop acts, so it always precedes the promotion it leads to.
            log.info("worker {} (pid {}) is exiting: its alive lock was let go", w.id(), w.pid());
            link.channel.eventLoop().execute(onLoop);
        }
    }

    private static boolean leavingOnPurpose(WorkerHandle w) {
        return w.stopRequested() || w.state() == WorkerState.DISCONNECTING;
    }
}
