package io.jcluster.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the WebSockets of one {@link App#ws} path. Setters return {@code this}; read once by {@code ws}.
 * A timeout of {@link Duration#ZERO} disables it.
 */
public final class WebSocketOptions {
    /** Largest frame payload a client may send: 64 KiB. Larger closes the connection with 1009. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 64 * 1024;
    /** Largest message (its fragments joined) a client may send: 1 MiB. Larger closes with 1009. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;
    /** How long a client may send nothing, not even a ping: 60 s. Then the server closes with 1001. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Most bytes waiting for a client that does not read: 4 MiB. One more message closes it with 1008. */
    public static final int DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
    /** How long the opening handshake and, once a close frame is sent, the closing one may take: 10 s and 3 s. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(3);

    private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private int maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

    public WebSocketOptions() {
    }

    WebSocketOptions(WebSocketOptions o) {
        maxFrameSize = o.maxFrameSize;
        maxMessageSize = o.maxMessageSize;
        idleTimeout = o.idleTimeout;
        maxBufferedBytes = o.maxBufferedBytes;
        handshakeTimeout = o.handshakeTimeout;
        closeTimeout = o.closeTimeout;
    }

    public WebSocketOptions maxFrameSize(int bytes) {
        maxFrameSize = positive(bytes, "maxFrameSize");
        return this;
    }

    public WebSocketOptions maxMessageSize(int bytes) {
        maxMessageSize = positive(bytes, "maxMessageSize");
        return this;
    }

    public WebSocketOptions idleTimeout(Duration d) {
        idleTimeout = nonNegative(d, "idleTimeout");
        return this;
    }

    public WebSocketOptions maxBufferedBytes(int bytes) {
        maxBufferedBytes = positive(bytes, "maxBufferedBytes");
        return this;
    }

    public WebSocketOptions handshakeTimeout(Duration d) {
        handshakeTimeout = nonNegative(d, "handshakeTimeout");
        return this;
    }

    public WebSocketOptions closeTimeout(Duration d) {
        closeTimeout = nonNegative(d, "closeTimeout");
        return this;
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    public int maxMessageSize() {
        return maxMessageSize;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public int maxBufferedBytes() {
        return maxBufferedBytes;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }

    private static int positive(int v, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive: " + v);
        }
        return v;
    }

    private static Duration nonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + d);
        }
        return d;
    }
}
