package io.jcluster.http;

/** Where one connection is in its request cycle ({@link HttpServerHandler}). */
enum ConnectionState {
    /** Between requests, nothing of the next one received. */
    IDLE,
    /** Bytes of a request arrived, its head is not decoded yet. */
    RECEIVING,
    /** The head is decoded, the body is being received. */
    BODY,
    /** The handler chain runs. */
    PROCESSING,
    /** Closing (or closed): input is dropped. */
    CLOSED
}
