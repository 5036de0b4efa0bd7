package io.jcluster.cluster;

/**
 * The primary's hand-off of connections under the round-robin policy ({@link Cluster#handoffs()}): {@code pending},
 * connections it accepted that wait for a worker with room now; {@code total}, connections handed to workers since
 * the primary started (one a worker gave back, as it was closing, counts again when handed to another).
 * Both 0 under policy NONE and for unmodified applications, whose workers accept by themselves.
 */
public record HandoffStats(long pending, long total) {
    public static final HandoffStats NONE = new HandoffStats(0, 0);
}
