package io.jcluster.cluster;

import java.io.IOException;

/**
 * A server could not listen: the port is in use, permission was denied, the address is not local. Like
 * Node's {@code EADDRINUSE} error it names the address and an errno-like {@link #code()}. Inside a worker the
 * error is made by the primary and crosses the process boundary as data.
 */
public final class ListenException extends IOException {
    private final String host;
    private final int port;
    private final String code;

    public ListenException(String host, int port, String code, String detail) {
        super("listen " + code + " " + display(host) + ":" + port + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.host = host;
        this.port = port;
        this.code = code;
    }

    /** The host that was asked for; empty for all interfaces. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** An errno-like code: {@code EADDRINUSE}, {@code EACCES}, {@code EADDRNOTAVAIL}, {@code EINVAL}, or {@code EIO}. */
    public String code() {
        return code;
    }

    private static String display(String host) {
        return host == null || host.isEmpty() ? "0.0.0.0" : host;
    }

    /** Maps a bind failure to a listen exception with the closest errno-like code. */
    public static ListenException of(String host, int port, Throwable cause) {
        if (cause instanceof ListenException le) {
            return le;
        }
        String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        String lower = msg.toLowerCase(java.util.Locale.ROOT);
        String code;
        if (lower.contains("address already in use")) {
            code = "EADDRINUSE";
        } else if (lower.contains("permission denied")) {
            code = "EACCES";
        } else if (lower.contains("cannot assign requested address") || cause instanceof java.net.UnknownHostException) {
            code = "EADDRNOTAVAIL";
        } else if (cause instanceof IllegalArgumentException) {
            code = "EINVAL";
        } else {
            code = "EIO";
        }
        ListenException e = new ListenException(host, port, code, msg);
        e.initCause(cause);
        return e;
    }
}
