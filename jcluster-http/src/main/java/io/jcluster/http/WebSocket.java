package io.jcluster.http;

import java.net.InetSocketAddress;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One WebSocket connection, as {@link App#ws} hands it to its {@link WebSocketHandler} once the upgrade is done.
 * Register the listeners in the handler; they run on the connection's event loop, one at a time, and must not
 * block. {@link #send} and {@link #close} may be called from any thread.
 *
 * <p>Pings are answered with pongs by the server itself. Limits ({@link WebSocketOptions}): a frame larger than
 * {@code maxFrameSize} or a message larger than {@code maxMessageSize} closes the connection with 1009; a client
 * that sends nothing (not even a ping) for {@code idleTimeout} is closed with 1001; a client that does not read
 * while more than {@code maxBufferedBytes} wait for it is closed with 1008; a server that closes (a worker's drain)
 * closes its WebSockets with 1001.
 */
public interface WebSocket {
    /** The request target of the upgrade, as sent ({@code /chat?room=1}). */
    String uri();

    /** A header of the upgrade request, or null. */
    String header(String name);

    /** The client's address (a TCP peer; behind a proxy, the proxy's). */
    InetSocketAddress remoteAddress();

    /**
     * Sends a text message; false, and nothing sent, when the connection is closing or closed. A client that
     * lets more than {@code maxBufferedBytes} wait is closed with 1008 (and this returns false).
     */
    boolean send(String text);

    /** Sends a binary message; as {@link #send(String)}. */
    boolean send(byte[] binary);

    /** Closes with 1000 (normal closure). */
    default void close() {
        close(1000, "");
    }

    /**
     * Starts the closing handshake with {@code code} (1000–4999, not one of those a peer may not send) and a
     * reason of at most 123 bytes of UTF-8: the connection closes when the client answers, or a few seconds later.
     */
    void close(int code, String reason);

    /** True from the upgrade until a close frame is sent or received, or the connection ends. */
    boolean isOpen();

    /** A text message arrived (fragments already joined). */
    WebSocket onText(Consumer<String> listener);

    /** A binary message arrived (fragments already joined). */
    WebSocket onBinary(Consumer<byte[]> listener);

    /**
     * The connection ended: the close code and reason the peer sent (or ours, if the peer did not answer), 1006
     * when it ended without a close frame. Runs once.
     */
    WebSocket onClose(BiConsumer<Integer, String> listener);
}
