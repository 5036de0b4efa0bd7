package io.jcluster.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Turns an HTTP connection into a WebSocket ({@link App#ws}): a GET with {@code Upgrade: websocket} to a WebSocket
 * path, checked as any request first ({@link RequestChecks}), leaves the HTTP handler and goes through Netty's
 * {@link WebSocketServerProtocolHandler} (handshake, frame codec, pongs, limits), then to a
 * {@link WebSocketSession}. Anything else to that path is an ordinary request.
 */
final class WebSocketUpgrade {
    /** The most bytes of body an upgrade request may carry (it should carry none). */
    private static final int MAX_UPGRADE_BODY = 8192;

    private WebSocketUpgrade() {
    }

    /** One {@code app.ws(path, …)}. */
    record Route(String path, WebSocketHandler handler, WebSocketOptions options) { }

    /** The route this request upgrades to, or null: not a WebSocket upgrade, or not to a WebSocket path. */
    static Route match(HttpRequest req, Map<String, Route> routes) {
        if (routes.isEmpty() || !HttpMethod.GET.equals(req.method())
                || !req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return null;
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        return routes.get(q < 0 ? uri : uri.substring(0, q));
    }

    /**
     * Called by the HTTP handler on the upgrade request's head: puts the WebSocket handlers after it, removes it,
     * and passes the head on (the rest of the request follows through the new handlers).
     */
    static void install(ChannelHandlerContext http, HttpRequest req, Route route) {
        WebSocketOptions o = route.options();
        String uri = req.uri();
        int q = uri.indexOf('?');
        WebSocketServerProtocolConfig protocol = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(q < 0 ? uri : uri.substring(0, q))
                .checkStartsWith(true) // the path we matched, with or without a query
                .handshakeTimeoutMillis(Math.max(1, o.handshakeTimeout().toMillis()))
                .forceCloseTimeoutMillis(Math.max(1, o.closeTimeout().toMillis()))
                .handleCloseFrames(false) // the session answers them and reports the peer's code
                .sendCloseFrame(null)
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(o.maxFrameSize())
                        .allowExtensions(false)
                        .closeOnProtocolViolation(true)
                        .withUTF8Validator(true)
                        .build())
                .build();
        ChannelPipeline p = http.pipeline();
        String at = http.name();
        // The handshake puts the frame encoder where the response encoder was and the frame decoder where the
        // request decoder was. The decoder writes close frames itself (a frame too large): the encoder must sit
        // between it and the socket, so it goes first.
        if (p.get("http-encoder") != null && p.get("http-decoder") != null) {
            p.remove("http-encoder");
            p.addBefore("http-decoder", "http-encoder", new Codec.Encoder());
        }
        p.addAfter(at, "ws-idle", new IdleStateHandler(o.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addAfter("ws-idle", "ws-upgrade-request", new HttpObjectAggregator(MAX_UPGRADE_BODY));
        p.addAfter("ws-upgrade-request", "ws-protocol", new WebSocketServerProtocolHandler(protocol));
        p.addAfter("ws-protocol", "ws-messages", new WebSocketFrameAggregator(o.maxMessageSize()));
        p.addAfter("ws-messages", "ws-session", new WebSocketSession(route, req));
        p.remove(at);
        http.fireChannelRead(req);
    }
}
