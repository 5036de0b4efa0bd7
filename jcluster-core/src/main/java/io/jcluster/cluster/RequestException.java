package io.jcluster.cluster;

/**
 * Why a {@link Worker#request request} got no answer. The future of the request fails with it; {@link #reason()}
 * says which case it is, the message says it in words (which peer, which limit).
 */
public final class RequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a request failed. */
    public enum Reason {
        /** No reply within the request's timeout (the peer is busy, blocked or lost the message). */
        TIMEOUT,
        /** The peer exited or its link closed before it answered (or before the request could be written). */
        PEER_GONE,
        /** The peer has no request handler ({@link Worker#onRequest}, {@link Cluster#onRequest}). */
        NO_HANDLER,
        /** The peer's handler threw, or its value could not be sent back (not JSON, too large). */
        HANDLER_FAILED,
        /** Too many requests to this peer wait for their replies already ({@link #MAX_PENDING}). */
        TOO_MANY_PENDING,
        /** Too many bytes of messages wait to be written to this peer already (it does not read). */
        QUEUE_FULL
    }

    /** The most requests one side of a link may have waiting for replies at once. */
    public static final int MAX_PENDING = 4096;

    private final Reason reason;

    public RequestException(Reason reason, String message) {
        super(message);
        this.reason = java.util.Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
