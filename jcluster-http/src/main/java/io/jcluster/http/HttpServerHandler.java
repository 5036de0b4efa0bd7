package io.jcluster.http;

import io.jcluster.cluster.ServerClosing;
import io.jcluster.worker.Counters;
import io.jcluster.worker.RequestDurations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.x connection, behind Netty's request decoder and response encoder.
 *
 * <p>Requests are handled synchronously on the channel's event loop as they are decoded, so the responses
 * of pipelined requests are written in request order without any queue. Responses written while a read
 * batch is being processed are flushed once at its end ({@code channelReadComplete}); responses written
 * outside one (timeouts, {@link ServerClosing}) are flushed at once.
 *
 * <p>Responses are encoded by {@link ResponseWriter} ({@link ResponseHead}) into one buffer with their body
 * where possible; Netty's encoder is left the refusals and 100 Continue.
 *
 * <p>The body is collected up to the limit; a larger one (announced or actual) gets 413 and the connection
 * is closed, as it is after 400, 408, 414, 417, 431, 501 and 505 ({@link Refusals}, {@link RequestChecks}),
 * lingering first ({@link Linger}). One timer per connection enforces the keep-alive idle timeout and the
 * headers and request timeouts; it is rescheduled only when a deadline moves earlier. A client that does not
 * read its responses is closed by the {@link SlowReaderGuard}.
 */
final class HttpServerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpServerHandler.class);


    /** How long an idle keep-alive connection of a closing server may still send one last request. */
    static final long DRAIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Config config;
    private final App app;
    /** False for the warm-up's requests ({@link Warmup}): they are not this worker's. */
    private final boolean counted;
    private ChannelHandlerContext ctx;
    private ConnectionState state = ConnectionState.IDLE;
    private boolean started;
    private boolean firstRequest = true;
    private ResponseWriter out;
    private boolean serverClosing;
    private long requestStart;
    private HttpRequest head;
    private final RequestBody body = new RequestBody();

    private ConnectionTimer timer;
    private SlowReaderGuard guard;
    private Codec.Decoder decoder;
    /** Set when the head just read upgrades the connection to a WebSocket. */
    private WebSocketUpgrade.Route upgrade;

    HttpServerHandler(App app, Config config) {
        this.app = app;
        this.counted = app.counted;
        this.config = config;
    }

    /** The request decoder for this connection; it tells this handler when a request's first bytes arrive. */
    ChannelHandler decoder(HttpDecoderConfig decoderConfig) {
        decoder = new Codec.Decoder(decoderConfig, this::bytesReceived);
        return decoder;
    }

    // --- lifecycle ---

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new ConnectionTimer(ctx, this::timedOut);
        this.guard = new SlowReaderGuard(ctx, config, this::closing);
        this.out = new ResponseWriter(ctx, this::closing, guard);
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    private void start() {
        if (!started && state != ConnectionState.CLOSED) {
            started = true;
            // A new connection has the headers timeout to send its first request.
            requestStart = now();
            timer.arm(ConnectionTimer.Kind.HEADERS, config.headersNanos(), requestStart);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        state = ConnectionState.CLOSED;
        cleanup();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cleanup();
    }

    private void cleanup() {
        body.release();
        head = null;
        if (timer != null) {
            timer.cancel();
        }
        if (guard != null) {
            guard.cancel();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ServerClosing) {
            // Draining loses no request. A request in flight is answered with Connection: close, then the
            // connection closes. A connection that has not sent its first request was handed to us a moment ago
            // and its request may be on its way (closing it now would reset the client): it keeps the headers
            // timeout to send it. An idle keep-alive connection gets a short grace: an active client's next
            // request arrives within it and is answered with Connection: close; then the connection closes.
            serverClosing = true;
            if (state == ConnectionState.IDLE && !firstRequest) {
                timer.arm(ConnectionTimer.Kind.IDLE, Math.min(config.keepAliveNanos() > 0 ? config.keepAliveNanos() : DRAIN_GRACE_NANOS,
                        DRAIN_GRACE_NANOS), now());
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        // Stop reading (and so decoding pipelined requests) while the client does not take our responses.
        if (state != ConnectionState.CLOSED) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }
        guard.writabilityChanged();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection {} failed: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("connection {} failed", ctx.channel(), cause);
        }
        state = ConnectionState.CLOSED;
        cleanup();
        ctx.close();
    }

    // --- input ---

    void bytesReceived() {
        out.reading();
        if (!started) {
            start();
        }
        if (state == ConnectionState.IDLE) {
            state = ConnectionState.RECEIVING;
            if (firstRequest) {
                firstRequest = false; // the first request's clock started when the connection opened
            } else {
                requestStart = now();
            }
            timer.arm(ConnectionTimer.Kind.HEADERS, config.headersNanos(), requestStart);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        out.reading();
        if (state == ConnectionState.CLOSED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest req) {
            if (req.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                malformed(req.decoderResult().cause(), true);
                return;
            }
            if (!onHead(req)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (upgrade != null) { // a WebSocket: its handlers take this head and what follows (App.ws)
                state = ConnectionState.CLOSED;
                WebSocketUpgrade.install(ctx, req, upgrade);
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            onContent(content);
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        out.readComplete();
        ctx.fireChannelReadComplete();
    }

    /** The size of the last JSON body on this connection: the next one is likely alike, its buffer is sized so. */
    int jsonSizeHint = 64;

    /** Takes a request head; false when the request was refused (the connection is then closing). */
    private boolean onHead(HttpRequest req) {
        if (state != ConnectionState.IDLE && state != ConnectionState.RECEIVING) {
            reject(Refusals.BAD_REQUEST, "a request head arrived in state " + state);
            return false;
        }
        if (state == ConnectionState.IDLE) {
            // A pipelined request decoded from bytes that arrived with the previous one.
            requestStart = now();
            firstRequest = false;
        }
        if (req.protocolVersion().majorVersion() != 1) {
            reject(Refusals.VERSION_NOT_SUPPORTED, "HTTP version " + req.protocolVersion().text());
            return false;
        }
        if (decoder != null && decoder.sawLengthWithChunked()) {
            reject(Refusals.BAD_REQUEST, "Transfer-Encoding with Content-Length");
            return false;
        }
        RequestChecks.Refusal refusal = RequestChecks.check(req);
        if (refusal != null) {
            reject(refusal.status(), refusal.why());
            return false;
        }
        if (!serverClosing && (upgrade = WebSocketUpgrade.match(req, app.webSockets())) != null) {
            return true;
        }
        state = ConnectionState.BODY;
        head = req;
        timer.arm(ConnectionTimer.Kind.REQUEST, config.requestNanos(), requestStart);
        long length;
        try {
            length = HttpUtil.getContentLength(req, -1L);
        } catch (NumberFormatException e) {
            reject(Refusals.BAD_REQUEST, "bad Content-Length");
            return false;
        }
        if (length > config.maxBodySize()) {
            reject(Refusals.PAYLOAD_TOO_LARGE, "Content-Length " + length + " exceeds " + config.maxBodySize());
            return false;
        }
        body.start(length);
        String expect = req.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && req.protocolVersion() != HttpVersion.HTTP_1_0) {
            if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
                reject(Refusals.EXPECTATION_FAILED, "Expect: " + expect);
                return false;
            }
            if (length != 0) {
                // In our version, HTTP/1.1, whatever 1.x the client spoke (RFC 9110 §2.5).
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                        Unpooled.EMPTY_BUFFER), ctx.voidPromise());
            }
        }
        return true;
    }

    private void onContent(HttpContent content) {
        if (state != ConnectionState.BODY) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            malformed(content.decoderResult().cause(), false);
            return;
        }
        ByteBuf chunk = content.content();
        if (body.exceeds(chunk.readableBytes(), config.maxBodySize())) {
            content.release();
            reject(Refusals.PAYLOAD_TOO_LARGE, "body exceeds " + config.maxBodySize() + " bytes");
            return;
        }
        body.append(chunk, ctx.alloc(), config.maxBodySize());
        if (content instanceof LastHttpContent) {
            process();
        }
    }

    // --- processing ---

    private void process() {
        HttpRequest h = head;
        ByteBuf b = body.take();
        head = null;
        state = ConnectionState.PROCESSING;
        timer.disarm();
        if (counted) {
            Counters.requestServed();
        }
        Request req = new Request(h, b, config.mapper(), ctx.channel().remoteAddress());
        Response res = new Response(this, req, config.mapper());
        try {
            app.dispatcher().dispatch(req, res);
        } catch (Throwable t) {
            log.error("{} could not be answered; closing the connection", req, t);
            state = ConnectionState.CLOSED;
            ctx.close();
        } finally {
            b.release();
        }
        if (state == ConnectionState.PROCESSING) {
            if (serverClosing) {
                // The server began closing after this response was sent (e.g. by the handler itself).
                closeAfterWrites();
            } else {
                state = ConnectionState.IDLE;
                timer.arm(ConnectionTimer.Kind.IDLE, config.keepAliveNanos(), now());
            }
        }
    }

    /** A buffer for a body of about {@code size} bytes, with room in front for the head (see {@link #send}). */
    ByteBuf bodyBuffer(int size) {
        return out.bodyBuffer(size);
    }

    /**
     * Writes the response of {@code req}; called once per request by {@link Response} ({@link ResponseWriter#send}).
     */
    void send(Request req, int status, HttpHeaders headers, AsciiString defaultType, ByteBuf content) {
        if (state != ConnectionState.PROCESSING) {
            content.release();
            throw new IllegalStateException("the connection of " + req + " is not waiting for a response");
        }
        if (counted) {
            RequestDurations.record(now() - requestStart); // the worker's request-duration histogram (metrics)
        }
        out.send(req, status, headers, defaultType, content, serverClosing);
    }

    /** The response writer closes the connection: no more input, no deadline. */
    private void closing() {
        state = ConnectionState.CLOSED;
        timer.disarm();
    }

    /** Closes once everything written so far is flushed out. */
    private void closeAfterWrites() {
        out.closeAfterWrites();
    }

    // --- refusals ---

    private void malformed(Throwable cause, boolean inHead) {
        reject(Refusals.ofDecoderFailure(cause, inHead), String.valueOf(cause));
    }

    /**
     * Answers {@code status} with {@code {"error":reason}} and closes the connection, after lingering to let a
     * client still sending read the answer ({@link Linger}).
     */
    private void reject(HttpResponseStatus status, String why) {
        if (log.isDebugEnabled()) {
            log.debug("{} {} from {}: {}", status.code(), status.reasonPhrase(), ctx.channel().remoteAddress(), why);
        }
        config.stats().refused();
        body.release();
        head = null;
        out.refuse(Refusals.response(status), config);
    }

    // --- the deadlines ---

    private long now() {
        return timer.now();
    }

    /** The armed deadline passed: an idle connection closes, a request too slow in coming is answered 408. */
    private void timedOut(ConnectionTimer.Kind kind) {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        switch (kind) {
            case IDLE -> {
                if (state == ConnectionState.IDLE) {
                    log.debug("closing idle keep-alive connection {}", ctx.channel());
                    closeAfterWrites();
                }
            }
            case HEADERS, REQUEST -> {
                if (state == ConnectionState.IDLE) {
                    log.debug("closing connection {} that sent no request", ctx.channel());
                    closeAfterWrites();
                } else if (state == ConnectionState.RECEIVING || state == ConnectionState.BODY) {
                    reject(Refusals.REQUEST_TIMEOUT, kind == ConnectionTimer.Kind.HEADERS ? "headers timeout" : "request timeout");
                }
            }
            default -> { }
        }
    }
}
