package io.jcluster.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.slf4j.LoggerFactory;

/**
 * Internal: tells the primary that a worker is dying as soon as its threads exit, before its sockets close
 * ({@code src/main/c/jcluster_alive.c}). A thread of the worker holds a robust, process-shared mutex in a small
 * file for the worker's life; a thread of the primary waits to lock it. The kernel marks a robust mutex's owner
 * dead in the exit of the thread that held it, before the process's memory is torn down and its files closed;
 * the fd link, the other sign of death, ends only after that: 12-60 ms after a {@code kill -9} of a JVM of
 * 50-200 MB on a 2-core VM, where tearing down page tables is slow. A hot spare takes a dead worker's place that
 * much sooner.
 *
 * <p>Where the library is missing (a build without a C compiler) {@link #AVAILABLE} is false, and the primary
 * learns of a death from the links' end, as before.
 */
public final class AliveLock {
    public static final boolean AVAILABLE;

    static {
        String why = NativeLibrary.load(AliveLock.class, "jcluster-alive");
        if (why != null) {
            LoggerFactory.getLogger(AliveLock.class).debug("no alive lock: {}", why);
        }
        AVAILABLE = why == null;
    }

    private AliveLock() {
    }

    /** The alive lock's file for the worker whose IPC socket is {@code socket}. */
    public static Path of(Path socket) {
        return socket.resolveSibling(socket.getFileName() + ".alive");
    }

    /** Primary: creates the lock's file, unlocked; it must not exist. On an error no file is left. */
    public static void create(Path file) throws IOException {
        check(create0(file.toString()), "create", file);
    }

    /**
     * Worker: a daemon thread takes the lock and keeps it until this JVM exits. Returns once it holds it; throws
     * when it could not (no such file, or held by another process).
     */
    public static void hold(Path file) throws IOException {
        CompletableFuture<Integer> taken = new CompletableFuture<>();
        Thread t = new Thread(null, () -> {
            int r;
            try {
                r = hold0(file.toString());
            } catch (Throwable e) { // LinkageError and the like: the caller says why, at once
                taken.completeExceptionally(e);
                return;
            }
            taken.complete(r);
            while (r == 0) { // the lock is this thread's until the JVM ends
                LockSupport.park();
            }
        }, "jcluster-alive", 64 * 1024);
        t.setDaemon(true);
        t.start();
        try {
            check(taken.get(10, TimeUnit.SECONDS), "hold", file);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not hold the alive lock " + file + ": "
                    + (e.getCause() != null ? e.getCause() : e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while taking the alive lock " + file, e);
        }
    }

    /**
     * Primary: a daemon thread waits for the lock's holder to die, then calls {@code died} with 1 (it died), 0
     * (no one held it: a worker without the library) or -errno. The file is mapped before this returns, so the
     * caller may delete it then.
     */
    public static void watch(Path file, String name, IntConsumer died) throws IOException {
        long m = map0(file.toString());
        check(m, "map", file);
        Thread t = new Thread(null, () -> died.accept(await0(m)), name, 64 * 1024);
        t.setDaemon(true);
        t.start();
    }

    private static void check(long r, String what, Path file) throws IOException {
        if (r < 0) {
            throw new IOException("could not " + what + " the alive lock " + file + ": errno " + -r);
        }
    }

    private static native int create0(String path);

    private static native int hold0(String path);

    private static native long map0(String path);

    private static native int await0(long address);
}
