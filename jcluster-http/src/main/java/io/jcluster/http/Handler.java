package io.jcluster.http;

/**
 * Answers a request matched by a route, like an Express route callback. It runs on the connection's event
 * loop and must send the response (any of {@link Response}'s send methods) before it returns; a handler that
 * returns without sending is treated as failed with {@link IllegalStateException}. It must not block.
 * Anything it throws goes to the app's {@link ErrorHandler}.
 */
@FunctionalInterface
public interface Handler {
    void handle(Request req, Response res) throws Exception;
}
