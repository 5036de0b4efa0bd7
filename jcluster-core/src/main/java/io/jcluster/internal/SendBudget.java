package io.jcluster.internal;

import io.jcluster.cluster.RequestException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Internal: the bound on user messages waiting to be written on one control link (sent, not yet in the socket).
 * A sender that finds it full gets an error at once ({@link RequestException.Reason#QUEUE_FULL}) instead of
 * growing the queue of a peer that does not read; one message larger than the bound alone still goes. Thread-safe.
 */
public final class SendBudget {
    /** The default bound: 64 MiB of JSON waiting for one peer. */
    public static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;

    private final AtomicLong queued = new AtomicLong();
    private final long max;

    public SendBudget() {
        this(MAX_QUEUED_BYTES);
    }

    public SendBudget(long max) {
        this.max = max;
    }

    /** Takes room for {@code bytes}; null when granted, else the error for the sender. */
    public RequestException reserve(int bytes, String peer) {
        while (true) {
            long now = queued.get();
            if (now > 0 && now + bytes > max) {
                return new RequestException(RequestException.Reason.QUEUE_FULL, now + " bytes of messages already wait to be "
                        + "written to " + peer + " (at most " + max + "): it does not read them");
            }
            if (queued.compareAndSet(now, now + bytes)) {
                return null;
            }
        }
    }

    /** The message of {@code bytes} was written (or failed): its room is free again. */
    public void release(int bytes) {
        queued.addAndGet(-bytes);
    }

    /** Bytes waiting now. */
    public long queued() {
        return queued.get();
    }
}
