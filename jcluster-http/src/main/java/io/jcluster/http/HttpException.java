package io.jcluster.http;

/**
 * An error with an HTTP status, like the {@code http-errors} of Express. Thrown from a handler or middleware,
 * the default {@link ErrorHandler} answers it with {@link #status()} and {@code {"error":message}} and does
 * not log it as a server error when the status is below 500. The app raises it itself for 404, 405 and
 * malformed request JSON (400), so a custom error handler can tell them apart.
 */
public class HttpException extends RuntimeException {
    private final int status;

    /** An error answered with {@code status} (400-599) and {@code message} as the error text. */
    public HttpException(int status, String message) {
        this(status, message, null);
    }

    /** As {@link #HttpException(int, String)}, with the cause kept for logging. */
    public HttpException(int status, String message, Throwable cause) {
        this(status, message, cause, true);
    }

    HttpException(int status, String message, Throwable cause, boolean stackTrace) {
        super(message, cause, false, stackTrace);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status must be 400-599: " + status);
        }
        this.status = status;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }
}
