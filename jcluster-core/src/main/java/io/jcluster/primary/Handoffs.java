package io.jcluster.primary;

import io.jcluster.cluster.HandoffStats;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The round-robin hand-off's counters, written by the I/O loop once per accept batch (never per connection), read
 * by any thread: connections accepted and waiting for a worker with room, and connections handed to workers.
 */
final class Handoffs {
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong handed = new AtomicLong();

    /** A handle's pending queue grew or shrank by {@code delta}. */
    void pending(int delta) {
        if (delta != 0) {
            pending.addAndGet(delta);
        }
    }

    void handed(int count) {
        handed.addAndGet(count);
    }

    HandoffStats snapshot() {
        return new HandoffStats(Math.max(0, pending.get()), handed.get());
    }
}
