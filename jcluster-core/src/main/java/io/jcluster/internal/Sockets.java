package io.jcluster.internal;

/**
 * Internal: what jcluster's agent does to an unmodified server's socket, through a small JNI library
 * ({@code libjcluster-sockets.so}, built with the jar where a C compiler is present). Without it the agent
 * cannot serve a bind from the primary and says so at start ({@link #UNAVAILABLE}).
 */
public final class Sockets {
    /** O_NONBLOCK on Linux (x86_64 and aarch64). */
    public static final int O_NONBLOCK = 04000;
    /** Why the library could not be loaded; null when it was. */
    public static final String UNAVAILABLE = NativeLibrary.load(Sockets.class, "jcluster-sockets");

    private Sockets() {
    }

    /**
     * Makes {@code target} (the server's own, unbound socket) refer to {@code received} (a listening socket the
     * primary passed), keeping {@code target}'s number, close-on-exec flag and O_NONBLOCK, and closes
     * {@code received}: 0, or -errno (then the caller still owns {@code received}).
     */
    public static int replace(int received, int target) {
        return replace0(received, target);
    }

    /** 1 when {@code fd} is a listening socket, 0 for another socket, -errno otherwise. */
    public static int isListening(int fd) {
        return isListening0(fd);
    }

    /** The file status flags (F_GETFL) of {@code fd}, or -errno. */
    public static int statusFlags(int fd) {
        return statusFlags0(fd);
    }

    /** Sets O_NONBLOCK on {@code fd} (an adopted listening socket the primary accepts on): 0, or -errno. */
    public static int setNonBlocking(int fd) {
        return setNonBlocking0(fd);
    }

    private static native int replace0(int received, int target);

    private static native int setNonBlocking0(int fd);

    private static native int isListening0(int fd);

    private static native int statusFlags0(int fd);
}
