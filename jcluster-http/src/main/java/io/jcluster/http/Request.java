package io.jcluster.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The request being handled, like Express's {@code req}. It is valid only while its handler chain runs (the
 * body is released once the response is sent); copy what you need to keep. Not thread-safe: it belongs to
 * the connection's event loop.
 */
public final class Request {
    private final HttpRequest head;
    private final ByteBuf body;
    private final String rawPath;
    private final String rawQuery;
    private final int methodIndex;
    private final ObjectMapper mapper;
    private final SocketAddress remote;
    private String[] segments;
    private String path;
    private String[] paramNames;
    private String[] paramValues;
    private String rest;
    private Map<String, List<String>> query;
    private Map<String, Object> attributes;
    private String bodyText;
    private JsonNode json;

    Request(HttpRequest head, ByteBuf body, ObjectMapper mapper, SocketAddress remote) {
        this.head = head;
        this.body = body;
        this.mapper = mapper;
        this.remote = remote;
        this.methodIndex = Router.methodIndex(head.method());
        String uri = head.uri();
        int start = 0;
        if (!uri.startsWith("/")) {
            // absolute-form (http://host/path?q): routing uses the path only
            int scheme = uri.indexOf("://");
            if (scheme > 0) {
                int slash = uri.indexOf('/', scheme + 3);
                int q = uri.indexOf('?', scheme + 3);
                start = slash < 0 || (q >= 0 && q < slash) ? -1 : slash;
            }
        }
        int q = uri.indexOf('?', Math.max(start, 0));
        int end = q < 0 ? uri.length() : q;
        int hash = uri.indexOf('#', Math.max(start, 0));
        if (hash >= 0 && hash < end) {
            end = hash;
        }
        if (start < 0) {
            this.rawPath = "/";
        } else {
            this.rawPath = start == 0 && end == uri.length() ? uri : uri.substring(start, end);
        }
        this.rawQuery = q < 0 ? null : uri.substring(q + 1, hash > q ? hash : uri.length());
    }

    /** The request method in upper case, e.g. {@code "GET"}. */
    public String method() {
        return head.method().name();
    }

    /** The path, percent-decoded, without the query string: {@code "/users/42"}. Raw if malformed. */
    public String path() {
        String p = path;
        if (p == null) {
            try {
                p = PathDecoder.decode(rawPath);
            } catch (IllegalArgumentException e) {
                p = rawPath; // malformed escape: the request is answered 400, keep the path printable
            }
            path = p;
        }
        return p;
    }

    /** The request target as sent, with its query string: {@code "/users/42?full=1"}. */
    public String url() {
        return head.uri();
    }

    /**
     * The value of a route parameter: {@code param("id")} for {@code /users/:id}, percent-decoded;
     * {@code param("*")} is what a trailing {@code *} matched (segments joined with '/', maybe empty).
     * Null when the route has no such parameter, and in middleware, which runs before routing.
     */
    public String param(String name) {
        if (paramNames != null) {
            for (int i = 0; i < paramNames.length; i++) {
                if (paramNames[i].equals(name)) {
                    return paramValues[i];
                }
            }
        }
        return "*".equals(name) ? rest : null;
    }

    /** The first value of a query parameter, decoded ('+' is a space), or null when absent. */
    public String query(String name) {
        List<String> values = queryMap().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Every value of a query parameter in order; empty when absent. */
    public List<String> queries(String name) {
        List<String> values = queryMap().get(name);
        return values == null ? List.of() : values;
    }

    private Map<String, List<String>> queryMap() {
        Map<String, List<String>> m = query;
        if (m == null) {
            try {
                m = rawQuery == null || rawQuery.isEmpty() ? Map.of()
                        : new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false).parameters();
            } catch (IllegalArgumentException e) {
                // The client's fault (e.g. ?x=%ZZ): a 400, logged without a stack trace.
                throw new HttpException(400, "Malformed query string", e, false);
            }
            query = m;
        }
        return m;
    }

    /** The first value of a header, matched case-insensitively, or null. */
    public String header(String name) {
        return head.headers().get(name);
    }

    /** All request headers (case-insensitive names, several values per name possible). */
    public HttpHeaders headers() {
        return head.headers();
    }

    /** The body as text, decoded with the charset of {@code Content-Type}, UTF-8 by default; "" when empty. */
    public String body() {
        String s = bodyText;
        if (s == null) {
            Charset cs = HttpUtil.getCharset(head, StandardCharsets.UTF_8);
            s = body.toString(body.readerIndex(), body.readableBytes(), cs);
            bodyText = s;
        }
        return s;
    }

    /** A copy of the body's bytes; empty when there is none. */
    public byte[] bodyBytes() {
        return ByteBufUtil.getBytes(body, body.readerIndex(), body.readableBytes(), true);
    }

    /**
     * The body parsed as JSON. A body that is empty or not JSON throws {@link HttpException} 400, which the
     * default error handler answers with {@code {"error":"Invalid JSON body"}}.
     */
    public JsonNode json() {
        JsonNode node = json;
        if (node == null) {
            try {
                node = body.hasArray()
                        ? mapper.readTree(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes())
                        : mapper.readTree((InputStream) new ByteBufInputStream(body.duplicate()));
            } catch (IOException e) {
                throw invalidJson(e);
            }
            if (node == null || node.isMissingNode()) {
                throw invalidJson(null);
            }
            json = node;
        }
        return node;
    }

    /**
     * The body mapped by Jackson to {@code type}. A body that is empty, not JSON, or does not fit {@code type}
     * throws {@link HttpException} 400 (see {@link #json()}). Unknown properties are ignored with the default
     * mapper.
     */
    public <T> T json(Class<T> type) {
        if (body.readableBytes() == 0) {
            throw invalidJson(null);
        }
        try {
            return body.hasArray()
                    ? mapper.readValue(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes(), type)
                    : mapper.readValue((InputStream) new ByteBufInputStream(body.duplicate()), type);
        } catch (IOException e) {
            throw invalidJson(e);
        }
    }

    private static HttpException invalidJson(Exception cause) {
        return new HttpException(400, "Invalid JSON body", cause, false);
    }

    /** The client's address, or null when the connection is not over IP. */
    public InetSocketAddress remoteAddress() {
        return remote instanceof InetSocketAddress a ? a : null;
    }

    /** A value set by {@link #attribute(String, Object)}, typically by a middleware; null when unset. */
    @SuppressWarnings("unchecked")
    public <T> T attribute(String name) {
        return attributes == null ? null : (T) attributes.get(name);
    }

    /** Sets (or with null removes) a value for later middleware and the handler; returns this. */
    public Request attribute(String name, Object value) {
        if (value == null) {
            if (attributes != null) {
                attributes.remove(name);
            }
        } else {
            if (attributes == null) {
                attributes = new HashMap<>(8);
            }
            attributes.put(name, value);
        }
        return this;
    }

    @Override
    public String toString() {
        return method() + " " + head.uri();
    }

    // --- for the dispatcher ---

    HttpRequest head() {
        return head;
    }

    int methodIndex() {
        return methodIndex;
    }

    boolean isHead() {
        return methodIndex == Router.HEAD;
    }

    /** Decoded path segments; throws IllegalArgumentException for a malformed escape. */
    String[] segments() {
        String[] s = segments;
        if (s == null) {
            s = rawPath.startsWith("/") ? Router.segments(rawPath) : null;
            segments = s;
        }
        return s;
    }

    void route(Router.Match match) {
        paramNames = match.route().params();
        paramValues = match.values();
        rest = match.rest();
    }
}
