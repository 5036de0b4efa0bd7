package io.jcluster.cluster;

import java.util.EnumSet;
import java.util.Set;

/**
 * A worker's lifecycle. Only the transitions below are legal; DEAD is terminal.
 * <pre>
 * SPAWNED ──links up──▶ ONLINE ──first listen──▶ LISTENING
 *    │                    │                          │
 *    └──── disconnect ────┴──────── disconnect ──────┴──▶ DISCONNECTING
 *    (every state but DEAD) ──── process exit ────────────▶ DEAD
 * </pre>
 */
public enum WorkerState {
    SPAWNED, ONLINE, LISTENING, DISCONNECTING, DEAD;

    /** The states this one may move to. */
    public Set<WorkerState> next() {
        return switch (this) {
            case SPAWNED -> EnumSet.of(ONLINE, DISCONNECTING, DEAD);
            case ONLINE -> EnumSet.of(LISTENING, DISCONNECTING, DEAD);
            case LISTENING -> EnumSet.of(DISCONNECTING, DEAD);
            case DISCONNECTING -> EnumSet.of(DEAD);
            case DEAD -> EnumSet.noneOf(WorkerState.class);
        };
    }

    /** The state after moving to {@code to}; throws on an illegal transition. */
    public WorkerState to(WorkerState to) {
        if (!next().contains(to)) {
            throw new IllegalStateException("illegal worker transition " + this + " -> " + to);
        }
        return to;
    }
}
