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
    /**
     * A hot spare's slot: its worker starts out of rotation. Moves between slots when a spare is promoted in
     * place of a worker that died (the promoted slot is no spare any more, the dead one's restart comes up as the
     * new spare). Written under {@link Spares}' lock, read at spawn.
     */
    volatile boolean spare;

    Slot(int number, int generation, Map<String, String> env, RestartTracker restarts) {
        this(number, generation, env, restarts, false);
    }

    Slot(int number, int generation, Map<String, String> env, RestartTracker restarts, boolean spare) {
        this.spare = spare;
        this.number = number;
        this.generation = generation;
        this.env = Map.copyOf(env);
        this.restarts = restarts;
    }
}
