package io.jcluster.primary;

import io.jcluster.ipc.Message.ListenRequest;

/**
 * One address the primary listens on for its workers, as Node's round_robin_handle and shared_handle: workers
 * join with {@link #add} and leave with {@link #remove}; the last one out closes the socket (unless a
 * replacement for a dead worker is on its way). Confined to the primary's I/O loop.
 */
interface ListenHandle {
    /** A worker asks to listen here: answer it now or once the socket is bound. */
    void add(FdLink worker, ListenRequest request);

    /**
     * The worker leaves; {@code died} says it did not leave by itself. The last one out closes the socket, unless
     * a replacement for a dead worker is on its way (Node's handles do the same).
     */
    default void remove(FdLink worker, boolean died) {
        if (drop(worker) && noWorkers() && !(died && dispatcher().replacementExpected())) {
            close();
        }
    }

    /** Takes the worker off this handle; false when it was not on it. */
    boolean drop(FdLink worker);

    boolean noWorkers();

    Dispatcher dispatcher();

    String key();

    /** The listening socket. */
    Bound bound();

    /** Closes the socket and drops what waits for a worker. */
    void close();
}
