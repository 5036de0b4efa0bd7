package io.jcluster.cluster;

/**
 * Receives every line a worker writes to stdout or stderr, whole lines only. Called on one thread per
 * stream of each worker, so implementations must be thread-safe. Set with {@link ClusterSettings#output}.
 */
@FunctionalInterface
public interface OutputListener {
    void line(Worker worker, boolean stderr, String line);
}
