package io.jcluster.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;

/**
 * The checks of a request head that Netty's decoder leaves to the server (RFC 9112): Host, and the framing
 * headers that a proxy in front could read otherwise than we do (request smuggling). Netty already refuses a
 * Content-Length that is not a number or that is given twice, Transfer-Encoding in an HTTP/1.0 request, and
 * (through {@link HttpServerHandler#decoder}) Transfer-Encoding together with Content-Length.
 */
final class RequestChecks {
    static final HttpResponseStatus NOT_IMPLEMENTED = HttpResponseStatus.NOT_IMPLEMENTED;

    /** A refusal: the status, and why (for the debug log). */
    record Refusal(HttpResponseStatus status, String why) {
    }

    private RequestChecks() {
    }

    /** Why {@code req} is refused, or null when it is fine. */
    static Refusal check(HttpRequest req) {
        HttpHeaders headers = req.headers();
        Refusal r = host(req, headers);
        if (r == null && headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            r = transferEncoding(headers.getAll(HttpHeaderNames.TRANSFER_ENCODING));
        }
        return r;
    }

    /**
     * RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, for any request with more than one, and for
     * a Host whose value is not a host and optional port.
     */
    private static Refusal host(HttpRequest req, HttpHeaders headers) {
        String host = headers.get(HttpHeaderNames.HOST);
        if (host == null) {
            return req.protocolVersion().minorVersion() >= 1 ? bad("an HTTP/1.1 request without Host") : null;
        }
        List<String> all = headers.getAll(HttpHeaderNames.HOST);
        if (all.size() > 1) {
            return bad(all.size() + " Host header fields");
        }
        return validHost(host) ? null : bad("invalid Host: " + host);
    }

    /** {@code uri-host [ ":" port ]} (RFC 3986): reg-name and IPv4 characters, or an IP literal in brackets. */
    static boolean validHost(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "-._~%!$&'()*+,;=:[]".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * RFC 9112 §6.1, §6.3: chunked must be the final coding, and given once (otherwise the body's length
     * cannot be known: 400); another coding before it is one we do not decode (501). Both close.
     */
    private static Refusal transferEncoding(List<String> values) {
        int chunked = 0;
        boolean other = false;
        boolean lastChunked = false;
        for (String value : values) {
            for (String coding : value.split(",", -1)) {
                String c = coding.trim();
                if (c.isEmpty()) {
                    continue; // an empty list element (RFC 9110 §5.6.1): ignored
                }
                lastChunked = c.equalsIgnoreCase("chunked");
                if (lastChunked) {
                    chunked++;
                } else {
                    other = true;
                }
            }
        }
        if (!lastChunked) {
            return bad("Transfer-Encoding does not end with chunked: " + values);
        }
        if (chunked > 1) {
            return bad("chunked given more than once: " + values);
        }
        return other ? new Refusal(NOT_IMPLEMENTED, "unsupported transfer coding: " + values) : null;
    }

    private static Refusal bad(String why) {
        return new Refusal(HttpResponseStatus.BAD_REQUEST, why);
    }
}
