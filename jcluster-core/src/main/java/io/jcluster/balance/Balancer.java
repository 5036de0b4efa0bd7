package io.jcluster.balance;

/**
 * Chooses the target of the next connection. Every policy has the same three operations; one file each.
 * Implementations are confined to one thread (the primary's I/O loop) and need no locks.
 */
public interface Balancer<T extends Target> {
    void add(T target);

    /** False when it was not a member. */
    boolean remove(T target);

    /** The next target with room, or null when every target is full or there is none. */
    T pick();

    boolean isEmpty();

    int size();
}
