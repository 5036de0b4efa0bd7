package io.jcluster.http;

/**
 * Runs before the route handler, in registration order, like Express middleware. It either calls
 * {@link Next#next()} to continue the chain (and may act after it returns, since the rest of the chain runs
 * inside that call), or sends a response itself and ends the chain. A middleware that does neither ends the
 * chain without a response, which is treated as failed with {@link IllegalStateException}. Anything it
 * throws, or that the rest of the chain throws through it, goes to the app's {@link ErrorHandler}.
 */
@FunctionalInterface
public interface Middleware {
    void handle(Request req, Response res, Next next) throws Exception;
}
