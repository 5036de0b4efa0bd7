package io.jcluster.http;

/**
 * Takes a new WebSocket connection ({@link App#ws}): registers its listeners, may send. Runs on the connection's
 * event loop right after the upgrade; it must not block. If it throws, the connection is closed with 1011.
 */
@FunctionalInterface
public interface WebSocketHandler {
    void onOpen(WebSocket ws) throws Exception;
}
