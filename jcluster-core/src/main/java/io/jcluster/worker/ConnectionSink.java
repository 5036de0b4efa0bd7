package io.jcluster.worker;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;

/**
 * Internal: what a server that shares the primary's port offers the worker runtime.
 * Ownership: a connection passed to {@link #adopt} belongs to the sink from then on, accepted or not.
 */
public interface ConnectionSink {
    /** Takes a connection the primary handed over (RR). False when the server is closing: the caller
     *  refuses it back to the primary and closes its copy. */
    boolean adopt(Channel connection);

    /** Takes the shared listening socket the primary handed over (NONE) and starts accepting on it. */
    void adoptListener(ServerChannel listener);

    /** Closes the server gracefully (the worker is disconnecting). */
    java.util.concurrent.CompletableFuture<Void> close();
}
