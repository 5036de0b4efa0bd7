package io.jcluster.supervise;

/**
 * The coordinator's side of hot spares ({@code --spares K}): the core keeps a spare out of rotation, promotes the
 * oldest one at once when a worker in rotation dies, and starts the dead worker's restart as the next spare
 * ({@code Cluster.forkSpare}); here, the spares are started, a reload replaces them first and then promotes them,
 * and a spare used while the restart policy is off is started again.
 */
final class HotSpares {
    private HotSpares() {
    }

    /** Forks a hot spare into a new slot (the lowest free instance) of generation {@code gen}. */
    static Member fork(Fleet fleet, int gen) {
        return fleet.fork(gen, fleet.freeInstance(), true);
    }

    /** A worker of generation {@code gen} to take {@code old}'s role: a spare for a spare, else a worker in rotation. */
    static Member forkLike(Fleet fleet, int gen, Member old) {
        return fleet.fork(gen, old.instance(), old.spare());
    }

    /**
     * What replaces {@code old} in a reload to generation {@code gen}: for a spare, a new spare; for a worker in
     * rotation, a spare of {@code gen} that listens already, promoted now (a new spare of {@code gen} starts in its
     * place), else a new worker. A reload replaces the spares first ({@link Fleet#inService(java.util.function.Predicate)}
     * lists them first), so the new generation boots out of rotation, and then replaces the workers in rotation
     * without waiting for a boot.
     */
    static Member replacement(Fleet fleet, int gen, Member old) {
        if (!old.spare()) {
            for (Member s : fleet.inService(m -> m.spare() && m.generation() == gen && m.listened.isDone())) {
                if (s.worker.promote()) {
                    fleet.notePromotions("in place of " + old.label() + " (a reload)");
                    fleet.fork(gen, old.instance(), true);
                    return s;
                }
            }
        }
        return forkLike(fleet, gen, old);
    }

    /**
     * With the restart policy off, nothing restarts a dead worker's slot as the next spare: the spares are topped up
     * to {@code wanted} here (policy thread, between operations). With it on, the core's restart is the next spare.
     */
    static void topUp(Fleet fleet, int wanted, boolean autorestart) {
        if (autorestart || wanted == 0 || fleet.stopping() || !fleet.everListened()) {
            return;
        }
        for (int i = fleet.spares().size(); i < wanted; i++) {
            fork(fleet, fleet.generation());
        }
    }
}
