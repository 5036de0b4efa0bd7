package io.jcluster.primary;

import java.util.Map;

/**
 * A worker slot: one wanted place in the cluster. A worker the restart policy replaces passes its slot on: the
 * replacement inherits the number, the generation, the environment given to {@code fork} and the restart
 * history. Supervisor thread only, but for the final fields.
 */
final class Slot {
    final int number;
    final int generation;
    final Map<String, String> env;
    final RestartTracker restarts;
    /** No more restarts: an operation gave up on this slot ({@code Worker.cancelRestarts}). */
    boolean cancelled;

    Slot(int number, int generation, Map<String, String> env, RestartTracker restarts) {
        this.number = number;
        this.generation = generation;
        this.env = Map.copyOf(env);
        this.restarts = restarts;
    }
}
