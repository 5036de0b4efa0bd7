package io.jcluster.supervise;

/**
 * A reason to replace a worker that still runs: "recycle, because …". Each policy is one file; the coordinator asks
 * every policy about every worker in service once a tick (and the hang policy also when the core reports a silent
 * event loop), and {@link Recycle} does the replacing.
 */
interface RecyclePolicy {
    /** How the old worker leaves once its replacement is ready. */
    enum Leave {
        /** Out of rotation, its requests in flight finish (killed at the drain deadline). */
        DRAIN,
        /** It cannot drain (hung): its thread dump goes to its log, then it is killed. */
        DUMP_AND_KILL
    }

    /** Why {@code m} is to be recycled now, or null to keep it. Policy thread only. */
    String recycleBecause(Member m);

    default Leave leave() {
        return Leave.DRAIN;
    }
}
