package io.jcluster.balance;

import io.jcluster.cluster.Balance;

/**
 * Chooses the target of the next connection. Every policy has the same three operations; one file each.
 * Implementations are confined to one thread (the primary's I/O loop) and need no locks; a pick is O(targets)
 * at most and allocates nothing.
 */
public interface Balancer<T extends Target> {
    void add(T target);

    /** False when it was not a member. */
    boolean remove(T target);

    /**
     * The target of a connection from {@code client} (a hash of the client's IP address, {@link Sticky#clientKey};
     * policies that do not route by client ignore it), or null when it must wait: every target is full or there
     * is none (sticky: the client's own target is full).
     */
    T pick(long client);

    /** {@link #pick(long)} for a connection whose client does not matter. */
    default T pick() {
        return pick(0L);
    }

    boolean isEmpty();

    int size();

    /** A new balancer of the policy. */
    static <T extends Target> Balancer<T> of(Balance balance) {
        return switch (balance) {
            case RR -> new RoundRobin<>();
            case LEAST_CONNECTIONS -> new LeastConnections<>();
            case STICKY -> new Sticky<>();
        };
    }
}
