package io.jcluster.http;

import io.jcluster.cluster.ServerClosing;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection after its upgrade ({@link WebSocketUpgrade}): messages to the listeners, the closing
 * handshake both ways, and the limits that close it (1009 too big, 1001 idle or the server closing, 1008 a client
 * that does not read). State changes on the event loop; {@link #send} and {@link #close} from any thread.
 */
final class WebSocketSession extends ChannelInboundHandlerAdapter implements WebSocket {
    private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);

    private final WebSocketUpgrade.Route route;
    private final String uri;
    private final HttpHeaders headers;
    private final List<Consumer<String>> texts = new CopyOnWriteArrayList<>();
    private final List<Consumer<byte[]>> binaries = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<Integer, String>> closes = new CopyOnWriteArrayList<>();
    private volatile Channel channel;
    private volatile boolean open;
    /** Event loop only: a close frame went out / came in; the code and reason onClose reports. */
    private boolean closeSent;
    private boolean ended;
    private int closeCode = WebSocketCloseStatus.ABNORMAL_CLOSURE.code();
    private String closeReason = "";

    WebSocketSession(WebSocketUpgrade.Route route, HttpRequest upgrade) {
        this.route = route;
        this.uri = upgrade.uri();
        this.headers = upgrade.headers().copy();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            open = true;
            try {
                route.handler().onOpen(this);
            } catch (Exception | Error e) {
                log.error("the WebSocket handler of {} threw; closing the connection", route.path(), e);
                close(WebSocketCloseStatus.INTERNAL_SERVER_ERROR.code(), "handler failed");
            }
        } else if (evt == WebSocketServerProtocolHandler.ServerHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            ctx.close();
        } else if (evt instanceof IdleStateEvent) {
            close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "idle timeout");
        } else if (evt instanceof ServerClosing) {
            close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "server closing");
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame t) {
                String text = t.text();
                texts.forEach(l -> call(l, text));
            } else if (msg instanceof BinaryWebSocketFrame b) {
                byte[] bytes = io.netty.buffer.ByteBufUtil.getBytes(b.content());
                binaries.forEach(l -> call(l, bytes));
            } else if (msg instanceof CloseWebSocketFrame c) {
                closeReceived(ctx, c);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void closeReceived(ChannelHandlerContext ctx, CloseWebSocketFrame c) {
        open = false;
        int code = c.statusCode();
        if (!closeSent) {
            closeCode = code < 0 ? WebSocketCloseStatus.EMPTY.code() : code;
            closeReason = c.reasonText();
            closeSent = true;
            // Echo the peer's code (RFC 6455 §5.5.1), then close our side.
            CloseWebSocketFrame echo = code < 0 ? new CloseWebSocketFrame(true, 0, Unpooled.EMPTY_BUFFER)
                    : new CloseWebSocketFrame(code, "");
            ctx.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close(); // the peer answered our close
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open = false;
        if (!ended) {
            ended = true;
            int code = closeCode;
            String reason = closeReason;
            closes.forEach(l -> {
                try {
                    l.accept(code, reason);
                } catch (RuntimeException | Error e) {
                    log.error("a WebSocket close listener threw", e);
                }
            });
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) { // the message aggregator: a message over maxMessageSize
            close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message larger than " + route.options().maxMessageSize() + " bytes");
            return;
        }
        if (cause instanceof CorruptedWebSocketFrameException e) {
            // The decoder writes the close frame (1009, 1002, 1007) and closes once it is out: closing here could
            // cut it off.
            open = false;
            closeSent = true;
            closeCode = e.closeStatus().code();
            closeReason = e.closeStatus().reasonText();
            log.debug("WebSocket {} closed: {}", ctx.channel(), cause.getMessage());
            return;
        }
        if (cause instanceof IOException) {
            log.debug("WebSocket {} failed: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("WebSocket {} failed", ctx.channel(), cause);
        }
        ctx.close();
    }

    private static <T> void call(Consumer<T> l, T value) {
        try {
            l.accept(value);
        } catch (RuntimeException | Error e) {
            log.error("a WebSocket message listener threw", e);
        }
    }

    // --- WebSocket ---

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public boolean send(String text) {
        return send(new TextWebSocketFrame(text));
    }

    @Override
    public boolean send(byte[] binary) {
        return send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(binary.clone())));
    }

    private boolean send(WebSocketFrame frame) {
        Channel c = channel;
        if (!open || c == null || !c.isActive()) {
            frame.release();
            return false;
        }
        ChannelOutboundBuffer out = c.unsafe().outboundBuffer();
        long waiting = out == null ? 0 : out.totalPendingWriteBytes();
        int limit = route.options().maxBufferedBytes();
        if (waiting > 0 && waiting + frame.content().readableBytes() > limit) {
            frame.release();
            log.debug("WebSocket {}: {} bytes wait for a client that does not read; closing", c, waiting);
            close(WebSocketCloseStatus.POLICY_VIOLATION.code(), "too slow: more than " + limit + " bytes waiting");
            return false;
        }
        c.writeAndFlush(frame, c.voidPromise());
        return true;
    }

    @Override
    public void close(int code, String reason) {
        if (!WebSocketCloseStatus.isValidStatusCode(code)) {
            throw new IllegalArgumentException("not a close code an endpoint may send: " + code);
        }
        String r = reason == null ? "" : reason;
        if (r.getBytes(StandardCharsets.UTF_8).length > 123) {
            throw new IllegalArgumentException("a close reason is at most 123 bytes of UTF-8");
        }
        Channel c = channel;
        if (c == null) {
            return;
        }
        if (!c.eventLoop().inEventLoop()) {
            c.eventLoop().execute(() -> close(code, r));
            return;
        }
        open = false;
        if (closeSent || !c.isActive()) {
            return;
        }
        closeSent = true;
        closeCode = code;
        closeReason = r;
        c.writeAndFlush(new CloseWebSocketFrame(code, r));
        // The peer's answer closes the connection (closeReceived); a peer that does not answer, or does not even read
        // the close frame, is cut off after closeTimeout.
        c.eventLoop().schedule(() -> {
            c.close();
        }, route.options().closeTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public WebSocket onText(Consumer<String> listener) {
        texts.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    @Override
    public WebSocket onBinary(Consumer<byte[]> listener) {
        binaries.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    @Override
    public WebSocket onClose(BiConsumer<Integer, String> listener) {
        closes.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    @Override
    public String toString() {
        return "WebSocket " + uri + " " + channel;
    }
}
