package io.jcluster.worker;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Internal: what this worker JVM has served, reported to the primary with every heartbeat. Servers count
 * connections; protocol layers (the HTTP layer) count requests. Cheap enough for every request.
 */
public final class Counters {
    private static final AtomicLong CONNECTIONS = new AtomicLong();
    private static final LongAdder REQUESTS = new LongAdder();
    private static final LongAdder ACCEPTED = new LongAdder();

    private Counters() {
    }

    public static void connectionOpened() {
        CONNECTIONS.incrementAndGet();
        ACCEPTED.increment();
    }

    /**
     * A connection an unmodified application's server accepted on a socket the primary serves (jcluster's agent
     * sees the accept, not the close: such a worker reports connections taken, not connections open).
     */
    public static void connectionAccepted() {
        ACCEPTED.increment();
    }

    public static void connectionClosed() {
        CONNECTIONS.decrementAndGet();
    }

    public static void requestServed() {
        REQUESTS.increment();
    }

    public static long connections() {
        return CONNECTIONS.get();
    }

    /** Connections this worker's servers took since it started. */
    public static long accepted() {
        return ACCEPTED.sum();
    }

    public static long requests() {
        return REQUESTS.sum();
    }
}
