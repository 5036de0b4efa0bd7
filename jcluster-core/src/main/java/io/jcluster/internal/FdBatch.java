package io.jcluster.internal;

import org.slf4j.LoggerFactory;

/**
 * Internal: several file descriptors per message on a Unix socket (SCM_RIGHTS), through a small JNI library.
 * Netty moves one fd per syscall; the primary hands a worker all the connections of an accept batch in one
 * sendmsg, and the worker takes them in one recvmsg. Where the library is missing (a build without a C
 * compiler, another OS) {@link #AVAILABLE} is false and both sides keep Netty's one fd per message; the worker
 * says which it reads in its Hello, so a primary never batches to a worker that cannot take it.
 */
public final class FdBatch {
    /** The most fds one message carries (the kernel's SCM_MAX_FD). */
    public static final int MAX_FDS = 253;
    /** What {@link #receive} returns at the end of the stream. */
    public static final int EOF = Integer.MIN_VALUE;
    /** -EAGAIN: nothing to read, or no room to write. */
    public static final int EAGAIN = -11;

    public static final boolean AVAILABLE;

    static {
        String why = Boolean.getBoolean("jcluster.fdBatch.disable") ? "disabled by -Djcluster.fdBatch.disable"
                : NativeLibrary.load(FdBatch.class, "jcluster-fds");
        if (why != null) {
            LoggerFactory.getLogger(FdBatch.class).debug("one fd per message on the fd link: {}", why);
        }
        AVAILABLE = why == null;
    }

    private FdBatch() {
    }

    /** Sends {@code fds[off, off + n)} (1 to {@link #MAX_FDS}) in one message: 1, or -errno. */
    public static int send(int socket, int[] fds, int off, int n) {
        return send0(socket, fds, off, n);
    }

    /** Receives one message's fds into {@code out} (length ≥ {@link #MAX_FDS}): how many, {@link #EOF}, or -errno. */
    public static int receive(int socket, int[] out) {
        return recv0(socket, out);
    }

    private static native int send0(int socket, int[] fds, int off, int n);

    private static native int recv0(int socket, int[] out);
}
