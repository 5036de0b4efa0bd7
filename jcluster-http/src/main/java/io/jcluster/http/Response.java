package io.jcluster.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Map;

/**
 * The response to the request being handled, like Express's {@code res}. Set the status and headers, then
 * send exactly once with {@link #json}, {@link #send(String)}, {@link #send(byte[])} or {@link #end()}; a
 * second send throws {@link IllegalStateException}. Every body is sent with {@code Content-Length}; HEAD
 * requests get the headers of the body without the body; 204 and 304 are sent without body or length.
 * {@code Connection: close} set here is honoured (the connection closes after this response). Not
 * thread-safe: use it on the event loop that called the handler, before the handler returns.
 */
public final class Response {
    static final AsciiString JSON_UTF8 = AsciiString.cached("application/json; charset=utf-8");
    static final AsciiString TEXT_UTF8 = AsciiString.cached("text/plain; charset=utf-8");
    static final AsciiString OCTET_STREAM = AsciiString.cached("application/octet-stream");
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValueValidation(true);
    private static final Map<String, String> TYPES = Map.of(
            "json", JSON_UTF8.toString(),
            "text", TEXT_UTF8.toString(),
            "txt", TEXT_UTF8.toString(),
            "html", "text/html; charset=utf-8",
            "xml", "application/xml; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "bin", OCTET_STREAM.toString());

    private final HttpServerHandler conn;
    private final Request req;
    private final ObjectMapper mapper;
    /** The headers set by the user, made on first use: most responses have none, and need no header map. */
    private HttpHeaders headers;
    private int status = 200;
    private boolean sent;

    Response(HttpServerHandler conn, Request req, ObjectMapper mapper) {
        this.conn = conn;
        this.req = req;
        this.mapper = mapper;
    }

    /**
     * Sets the status code (200 by default); returns this. HTTP's status codes are 100-599 (RFC 9110 §15), and
     * a 1xx is an interim response that the server sends itself ({@code 100 Continue}), never the response:
     * anything but 200-599 throws IllegalArgumentException.
     */
    public Response status(int code) {
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException("status must be a 3-digit HTTP status code, 100-599 (RFC 9110 §15): "
                    + code);
        }
        if (code < 200) {
            throw new IllegalArgumentException("status " + code + " is an interim (1xx) response, which the server "
                    + "sends itself (100 Continue); a response's status must be 200-599");
        }
        status = code;
        return this;
    }

    /** The status code set so far. */
    public int status() {
        return status;
    }

    /**
     * Sets a response header, replacing any value it had; a null value removes it. Names and values are
     * validated (no control characters), so a header cannot be smuggled in. Returns this.
     * {@code Transfer-Encoding} must end with {@code chunked} (the body is then sent as chunks, without
     * Content-Length; to an HTTP/1.0 client, or in a 204, 205 or 304, it is left out). {@code Date} replaces
     * the one the server sends.
     */
    public Response header(String name, String value) {
        if (value != null && HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name) && !endsWithChunked(value)) {
            throw new IllegalArgumentException("Transfer-Encoding must end with chunked (the body is sent whole, as "
                    + "chunks): " + value);
        }
        if (value == null) {
            if (headers != null) {
                headers.remove(name);
            }
        } else {
            headers().set(name, value);
        }
        return this;
    }

    private static boolean endsWithChunked(String codings) {
        int comma = codings.lastIndexOf(',');
        return "chunked".equalsIgnoreCase(codings.substring(comma + 1).trim());
    }

    /** The value of a response header set so far, or null. */
    public String header(String name) {
        return headers == null ? null : headers.get(name);
    }

    private HttpHeaders headers() {
        HttpHeaders h = headers;
        if (h == null) {
            h = newHeaders();
            headers = h;
        }
        return h;
    }

    /**
     * Sets {@code Content-Type}: a media type such as {@code "text/html"}, or one of the short names json,
     * text, txt, html, xml, js, css, bin. Returns this.
     */
    public Response type(String contentType) {
        String t = contentType.indexOf('/') >= 0 ? contentType : TYPES.get(contentType.toLowerCase(Locale.ROOT));
        if (t == null) {
            throw new IllegalArgumentException("unknown content type: " + contentType);
        }
        headers().set(HttpHeaderNames.CONTENT_TYPE, t);
        return this;
    }

    /**
     * Sends {@code value} serialized by Jackson, with {@code Content-Type: application/json; charset=utf-8}
     * unless a type was set. A value Jackson cannot serialize throws IllegalArgumentException before
     * anything is sent.
     */
    public void json(Object value) {
        checkNotSent();
        // Serialized straight into the buffer that goes out: the head is written in front of it once the
        // length is known, so the response is one buffer and the body is not copied.
        ByteBuf buf = conn.bodyBuffer(conn.jsonSizeHint);
        try (OutputStream out = new ByteBufOutputStream(buf)) {
            mapper.writeValue(out, value);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw new IllegalArgumentException("cannot serialize " + (value == null ? null : value.getClass().getName())
                    + " as JSON: " + e.getMessage(), e);
        }
        conn.jsonSizeHint = buf.readableBytes();
        finish(buf, JSON_UTF8);
    }

    /**
     * Sends {@code text} encoded as UTF-8, with {@code Content-Type: text/plain; charset=utf-8} unless a type
     * was set (then {@code ; charset=utf-8} is added to it when it names no charset).
     */
    public void send(String text) {
        checkNotSent();
        String type = headers == null ? null : headers.get(HttpHeaderNames.CONTENT_TYPE);
        if (type != null && !type.toLowerCase(Locale.ROOT).contains("charset=")) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, type + "; charset=utf-8");
        }
        ByteBuf buf;
        if (text.isEmpty()) {
            buf = Unpooled.EMPTY_BUFFER;
        } else {
            buf = conn.bodyBuffer(ByteBufUtil.utf8Bytes(text));
            ByteBufUtil.writeUtf8(buf, text);
        }
        finish(buf, TEXT_UTF8);
    }

    /**
     * Sends {@code bytes} as they are, with {@code Content-Type: application/octet-stream} unless a type was
     * set. The array is not copied: do not change it afterwards.
     */
    public void send(byte[] bytes) {
        checkNotSent();
        finish(bytes.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes), OCTET_STREAM);
    }

    /** Sends the response without a body ({@code Content-Length: 0}). */
    public void end() {
        checkNotSent();
        finish(Unpooled.EMPTY_BUFFER, null);
    }

    /** True once the response was sent. */
    public boolean isSent() {
        return sent;
    }

    private void checkNotSent() {
        if (sent) {
            throw new IllegalStateException("the response to " + req + " was already sent");
        }
    }

    private void finish(ByteBuf body, AsciiString defaultType) {
        if (sent) {
            body.release();
            checkNotSent();
        }
        sent = true;
        conn.send(req, status, headers, defaultType, body);
    }

    /** A header map that validates what is set in it, so that no header can be smuggled in. */
    static HttpHeaders newHeaders() {
        return HEADERS.newHeaders();
    }

    /** The default error answer: {@code status} and {@code {"error":message}} as JSON, whatever type was set. */
    void sendError(int code, String message) {
        status = code;
        if (headers != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, JSON_UTF8); // without headers, JSON is the type already
        }
        json(Map.of("error", message));
    }
}
