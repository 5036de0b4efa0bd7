package io.jcluster.balance;

/** Something a balancer can hand work to. */
public interface Target {
    /** False while the target cannot take more (its window of unacknowledged hand-offs is full). */
    boolean hasRoom();

    /** The connections handed to it and not closed yet (least-connections). */
    default int connections() {
        return 0;
    }

    /**
     * A key that stays the same for the place this target holds, across its restarts (the worker's slot): what
     * sticky routing hashes. Two targets may share one (an old and a new worker of a slot during a reload).
     */
    default long affinity() {
        return System.identityHashCode(this);
    }
}
