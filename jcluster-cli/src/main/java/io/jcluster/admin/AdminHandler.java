package io.jcluster.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The admin endpoint's routes (one per connection; on the endpoint's event loop). Reads answer from snapshots at once;
 * a mutation checks the token, then runs on {@code mutations} (never on the event loop) and answers when its
 * operation ends. No CORS header is ever sent: browsers keep other sites' pages from reading or posting here.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String JSON_TYPE = "application/json";

    private final AdminSource cluster;
    private final PrometheusRegistry metrics;
    private final ExpositionFormats formats;
    private final StaticFiles files;
    private final byte[] token;
    private final int minReady;
    private final Executor mutations;

    AdminHandler(AdminSource cluster, PrometheusRegistry metrics, ExpositionFormats formats, StaticFiles files,
                 String token, int minReady, Executor mutations) {
        this.cluster = cluster;
        this.metrics = metrics;
        this.formats = formats;
        this.files = files;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.minReady = minReady;
        this.mutations = mutations;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            send(ctx, req, error(HttpResponseStatus.BAD_REQUEST, "bad request"));
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        HttpMethod method = req.method();
        boolean post = path.equals("/api/reload") || path.equals("/api/scale");
        if (post ? !method.equals(HttpMethod.POST) : !method.equals(HttpMethod.GET)) {
            FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "use " + (post ? "POST" : "GET"));
            r.headers().set(HttpHeaderNames.ALLOW, post ? "POST" : "GET");
            send(ctx, req, r);
            return;
        }
        switch (path) {
            case "/healthz" -> send(ctx, req, health());
            case "/readyz" -> send(ctx, req, readiness());
            case "/metrics" -> send(ctx, req, metrics(req.headers().get(HttpHeaderNames.ACCEPT)));
            case "/api/status" -> send(ctx, req, json(HttpResponseStatus.OK, cluster.status()));
            case "/api/admin" -> send(ctx, req, json(HttpResponseStatus.OK,
                    JsonNodeFactory.instance.objectNode().put("mutations", token != null)));
            case "/api/events" -> EventStream.open(ctx, cluster.events());
            case "/api/reload", "/api/scale" -> mutate(ctx, req, path);
            default -> {
                Optional<StaticFiles.File> f = files.find(path);
                send(ctx, req, f.isPresent() ? file(f.get()) : error(HttpResponseStatus.NOT_FOUND, "no such page: " + path));
            }
        }
    }

    private FullHttpResponse health() {
        int n = cluster.listening();
        ObjectNode b = JsonNodeFactory.instance.objectNode().put("status", n >= 1 ? "ok" : "no worker listens")
                .put("listening", n);
        return json(n >= 1 ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, b);
    }

    private FullHttpResponse readiness() {
        int n = cluster.listening();
        boolean stopping = cluster.stopping();
        String status = stopping ? "stopping" : n < minReady ? "fewer than " + minReady + " worker(s) listen" : "ready";
        ObjectNode b = JsonNodeFactory.instance.objectNode().put("status", status).put("listening", n)
                .put("minReady", minReady);
        return json(status.equals("ready") ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, b);
    }

    private FullHttpResponse metrics(String accept) {
        ExpositionFormatWriter w = formats.findWriter(accept);
        if (!w.isAvailable()) { // protobuf asked for, not on the class path: the text format
            w = formats.getPrometheusTextFormatWriter();
        }
        ByteBuf buf = Unpooled.buffer(16 * 1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            w.write(out, metrics.scrape());
        } catch (IOException | RuntimeException e) {
            buf.release();
            return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "metrics could not be collected: " + e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, w.getContentType());
        return r;
    }

    private void mutate(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        if (token == null) {
            send(ctx, req, error(HttpResponseStatus.FORBIDDEN, "read-only: this admin endpoint was started without "
                    + "--admin-token, so it makes no change"));
            return;
        }
        if (!authorized(req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            FullHttpResponse r = error(HttpResponseStatus.UNAUTHORIZED, "a valid 'Authorization: Bearer TOKEN' is needed");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"jcluster\"");
            send(ctx, req, r);
            return;
        }
        String count = null;
        if (path.equals("/api/scale")) {
            count = scaleCount(req);
            if (count == null) {
                send(ctx, req, error(HttpResponseStatus.BAD_REQUEST, "the body must be JSON {\"count\": N} "
                        + "(N, \"+K\" or \"-K\")"));
                return;
            }
        }
        String how = count;
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        ctx.channel().config().setAutoRead(false); // the next request on this connection waits for this answer
        try {
            mutations.execute(() -> {
                FullHttpResponse r;
                try {
                    r = json(HttpResponseStatus.OK, how == null ? cluster.reload() : cluster.scale(how));
                } catch (Exception e) {
                    Throwable c = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                    r = error(HttpResponseStatus.CONFLICT, c.getMessage() == null ? c.toString() : c.getMessage());
                }
                send(ctx, keepAlive, r);
                ctx.channel().config().setAutoRead(true);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            send(ctx, keepAlive, error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the primary is stopping"));
            ctx.channel().config().setAutoRead(true);
        }
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token); // in constant time
    }

    private static String scaleCount(FullHttpRequest req) {
        try {
            JsonNode b = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
            JsonNode c = b == null ? null : b.get("count");
            if (c == null) {
                return null;
            }
            if (c.isIntegralNumber()) {
                return Integer.toString(c.asInt());
            }
            return c.isTextual() && c.asText().matches("[+-]?\\d{1,6}") ? c.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON_TYPE).set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    static FullHttpResponse error(HttpResponseStatus status, String message) {
        return json(status, JsonNodeFactory.instance.objectNode().put("error", message));
    }

    private static FullHttpResponse file(StaticFiles.File f) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(f.bytes()));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, f.contentType())
                .set(HttpHeaderNames.CACHE_CONTROL, f.immutable() ? "public, max-age=86400" : "no-cache");
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r) {
        send(ctx, HttpUtil.isKeepAlive(req), r);
    }

    /** Thread-safe: a mutation answers from its own thread. */
    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
        r.headers().set("X-Content-Type-Options", "nosniff");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset peer or a malformed request: this connection only
    }
}
