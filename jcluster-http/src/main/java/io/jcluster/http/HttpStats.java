package io.jcluster.http;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of what an {@link App}'s connections did to protect the server, since the app was created
 * ({@link App#stats()}). Thread-safe; each count only grows.
 */
public final class HttpStats {
    private final LongAdder slowReadersClosed = new LongAdder();
    private final LongAdder refusals = new LongAdder();

    HttpStats() {
    }

    /**
     * Connections closed because their client did not read its responses: no progress within the write
     * timeout, or more buffered response bytes or pipelined responses than allowed ({@link HttpOptions}).
     */
    public long slowReadersClosed() {
        return slowReadersClosed.sum();
    }

    /** Requests refused with a status that closes the connection (400, 408, 413, 414, 417, 431, 501, 505). */
    public long refusals() {
        return refusals.sum();
    }

    void slowReaderClosed() {
        slowReadersClosed.increment();
    }

    void refused() {
        refusals.increment();
    }

    @Override
    public String toString() {
        return "HttpStats{slowReadersClosed=" + slowReadersClosed() + ", refusals=" + refusals() + '}';
    }
}
