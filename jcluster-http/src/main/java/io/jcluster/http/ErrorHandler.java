package io.jcluster.http;

/**
 * Answers a request whose handler or middleware threw, set with {@link App#error(ErrorHandler)}. It is given
 * the thrown error, also for the app's own client errors as {@link HttpException} (404, 405, malformed JSON
 * from {@link Request#json()}). It should send a response; if it does not, or throws, the default answer is
 * sent. It is not called when the response was already sent: the error is then only logged.
 *
 * <p>The default handler answers an {@link HttpException} with its status and {@code {"error":message}},
 * and anything else with {@code 500 {"error":"Internal Server Error"}} (no stack trace is sent), logging it
 * at ERROR through SLF4J. A replacement is responsible for its own logging.
 */
@FunctionalInterface
public interface ErrorHandler {
    void handle(Throwable err, Request req, Response res) throws Exception;
}
