package io.jcluster.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable snapshot of an app's middleware, routes and error handler that runs one request: matching
 * middleware in order, then the route (or 404/405/auto OPTIONS), and errors through the error handler.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(App.class);

    /** A middleware with the path prefix (as decoded segments) it applies to; empty for all paths. */
    record Use(String[] prefix, Middleware middleware) {
        boolean matches(String[] segments) {
            if (prefix.length == 0) {
                return true;
            }
            if (segments == null || segments.length < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (!prefix[i].equals(segments[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    static final ErrorHandler DEFAULT_ERROR_HANDLER = (err, req, res) -> defaultError(err, req, res);

    private final Router router;
    private final Use[] middleware;
    private final ErrorHandler errorHandler;

    Dispatcher(Router router, Use[] middleware, ErrorHandler errorHandler) {
        this.router = router;
        this.middleware = middleware;
        this.errorHandler = errorHandler;
    }

    /** Runs the chain for one request; never throws. */
    void dispatch(Request req, Response res) {
        try {
            String[] segments;
            try {
                segments = req.segments();
            } catch (IllegalArgumentException e) {
                throw new HttpException(400, "Malformed URL", e, false);
            }
            run(req, res, segments, 0);
            if (!res.isSent()) {
                throw new IllegalStateException("no response was sent for " + req
                        + " (a handler or middleware returned without sending one)");
            }
        } catch (Throwable t) {
            fail(t, req, res);
        }
    }

    private void run(Request req, Response res, String[] segments, int from) throws Exception {
        for (int i = from; i < middleware.length; i++) {
            Use use = middleware[i];
            if (use.matches(segments)) {
                use.middleware().handle(req, res, new Step(req, res, segments, i + 1));
                return;
            }
        }
        route(req, res, segments);
    }

    private void route(Request req, Response res, String[] segments) throws Exception {
        int method = req.methodIndex();
        Router.Match match = segments == null ? null : router.find(method, segments);
        if (match != null) {
            req.route(match);
            match.route().handler().handle(req, res);
            return;
        }
        // 404 and 405 are answered here, through the error handler, rather than thrown back through the
        // middleware: code a middleware runs after next() sees them as sent responses.
        String allow = segments == null ? null : router.allowed(segments);
        if (allow == null) {
            fail(new HttpException(404, "Not Found", null, false), req, res);
            return;
        }
        res.header(HttpHeaderNames.ALLOW.toString(), allow);
        if (method == Router.OPTIONS) {
            res.status(204).end();
            return;
        }
        fail(new HttpException(405, "Method Not Allowed", null, false), req, res);
    }

    private void fail(Throwable err, Request req, Response res) {
        if (res.isSent()) {
            log.error("{} failed after its response was sent", req, err);
            return;
        }
        if (errorHandler != DEFAULT_ERROR_HANDLER) {
            try {
                errorHandler.handle(err, req, res);
            } catch (Throwable t) {
                t.addSuppressed(err);
                log.error("the error handler failed for {}", req, t);
            }
            if (res.isSent()) {
                return;
            }
        }
        try {
            defaultError(err, req, res);
        } catch (Throwable t) {
            // Only a bug or a broken mapper gets here; the connection handler closes the connection.
            throw new IllegalStateException("could not send an error response for " + req, t);
        }
    }

    private static void defaultError(Throwable err, Request req, Response res) {
        if (res.isSent()) {
            return;
        }
        if (err instanceof HttpException he && he.status() < 500) {
            log.debug("{} answered {}: {}", req, he.status(), he.getMessage());
            res.sendError(he.status(), message(he));
            return;
        }
        int status = err instanceof HttpException he ? he.status() : 500;
        log.error("{} failed", req, err);
        res.sendError(status, status == 500 ? "Internal Server Error" : message((HttpException) err));
    }

    private static String message(HttpException e) {
        String m = e.getMessage();
        return m != null ? m : HttpResponseStatus.valueOf(e.status()).reasonPhrase();
    }

    /** The {@link Next} given to one middleware: continues after it, once. */
    private final class Step implements Next {
        private final Request req;
        private final Response res;
        private final String[] segments;
        private final int from;
        private boolean called;

        Step(Request req, Response res, String[] segments, int from) {
            this.req = req;
            this.res = res;
            this.segments = segments;
            this.from = from;
        }

        @Override
        public void next() throws Exception {
            if (called) {
                throw new IllegalStateException("next() was already called by this middleware");
            }
            called = true;
            run(req, res, segments, from);
        }
    }
}
