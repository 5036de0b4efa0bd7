package io.jcluster.http;

import io.jcluster.cluster.ServerClosing;
import io.jcluster.worker.Counters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * <p>Responses are encoded here ({@link ResponseHead}) into one buffer with their body where possible; Netty's
 * encoder is left the rare ones it rewrites (refusals, 100 Continue, 205, user-set Transfer-Encoding).
 *
 * <p>The body is collected up to the limit; a larger one (announced or actual) gets 413 and the connection
 * is closed, as it is after 400, 408, 414, 417 and 431. One timer per connection enforces the keep-alive
 * idle timeout and the headers and request timeouts; it is rescheduled only when a deadline moves earlier.
 */
final class HttpServerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpServerHandler.class);

    /** Between requests, nothing of the next one received. */
    private static final int IDLE = 0;
    /** Bytes of a request arrived, its head is not decoded yet. */
    private static final int RECEIVING = 1;
    /** The head is decoded, the body is being received. */
    private static final int BODY = 2;
    /** The handler chain runs. */
    private static final int PROCESSING = 3;
    /** Closing (or closed): input is dropped. */
    private static final int CLOSED = 4;

    private static final int T_NONE = 0;
    private static final int T_IDLE = 1;
    private static final int T_HEADERS = 2;
    private static final int T_REQUEST = 3;

    static final HttpResponseStatus BAD_REQUEST = HttpResponseStatus.BAD_REQUEST;
    static final HttpResponseStatus REQUEST_TIMEOUT = HttpResponseStatus.REQUEST_TIMEOUT;
    static final HttpResponseStatus PAYLOAD_TOO_LARGE = new HttpResponseStatus(413, "Payload Too Large");
    static final HttpResponseStatus URI_TOO_LONG = new HttpResponseStatus(414, "URI Too Long");
    static final HttpResponseStatus EXPECTATION_FAILED = HttpResponseStatus.EXPECTATION_FAILED;
    static final HttpResponseStatus VERSION_NOT_SUPPORTED = HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED;
    static final HttpResponseStatus HEADERS_TOO_LARGE = new HttpResponseStatus(431, "Request Header Fields Too Large");
    private static final AsciiString HTTP_1_0_KEEP_ALIVE = HttpHeaderValues.KEEP_ALIVE;
    private static final HttpHeadersFactory ERROR_HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    /** How long an idle keep-alive connection of a closing server may still send one last request. */
    static final long DRAIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Config config;
    private final App app;
    private ChannelHandlerContext ctx;
    private int state = IDLE;
    private boolean started;
    private boolean firstRequest = true;
    private boolean reading;
    private boolean needsFlush;
    private boolean serverClosing;
    private long requestStart;
    private HttpRequest head;
    private ByteBuf body;
    private boolean bodyCopied;
    private long bodySize;
    private long expectedSize;

    private int timerKind = T_NONE;
    private long deadline;
    private ScheduledFuture<?> timer;
    private long timerAt;
    private final Runnable onTimer = this::onTimer;

    HttpServerHandler(App app, Config config) {
        this.app = app;
        this.config = config;
    }

    /**
     * Netty's response encoder, for the responses it still encodes (refusals, 100 Continue, 205 and chunked
     * ones); those {@link #send} encodes itself are buffers, and pass through it untouched.
     */
    static final class Encoder extends HttpResponseEncoder {
        @Override
        public boolean acceptOutboundMessage(Object msg) throws Exception {
            return !(msg instanceof ByteBuf) && super.acceptOutboundMessage(msg);
        }
    }

    /** The request decoder for this connection; it tells this handler when a request's first bytes arrive. */
    ChannelHandler decoder(HttpDecoderConfig decoderConfig) {
        return new HttpRequestDecoder(decoderConfig) {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) throws Exception {
                bytesReceived();
                super.channelRead(c, msg);
            }
        };
    }

    // --- lifecycle ---

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
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
        if (!started && state != CLOSED) {
            started = true;
            // A new connection has the headers timeout to send its first request.
            requestStart = now();
            arm(T_HEADERS, config.headersNanos(), requestStart);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        state = CLOSED;
        cleanup();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cleanup();
    }

    private void cleanup() {
        releaseBody();
        head = null;
        timerKind = T_NONE;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
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
            if (state == IDLE && !firstRequest) {
                arm(T_IDLE, Math.min(config.keepAliveNanos() > 0 ? config.keepAliveNanos() : DRAIN_GRACE_NANOS,
                        DRAIN_GRACE_NANOS), now());
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        // Stop reading (and so decoding pipelined requests) while the client does not take our responses.
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection {} failed: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("connection {} failed", ctx.channel(), cause);
        }
        state = CLOSED;
        cleanup();
        ctx.close();
    }

    // --- input ---

    void bytesReceived() {
        reading = true;
        if (!started) {
            start();
        }
        if (state == IDLE) {
            state = RECEIVING;
            if (firstRequest) {
                firstRequest = false; // the first request's clock started when the connection opened
            } else {
                requestStart = now();
            }
            arm(T_HEADERS, config.headersNanos(), requestStart);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (state == CLOSED) {
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
        }
        if (msg instanceof HttpContent content) {
            onContent(content);
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** The size of the last JSON body on this connection: the next one is likely alike, its buffer is sized so. */
    int jsonSizeHint = 64;

    /** Takes a request head; false when the request was refused (the connection is then closing). */
    private boolean onHead(HttpRequest req) {
        if (state != IDLE && state != RECEIVING) {
            reject(BAD_REQUEST, "a request head arrived in state " + state);
            return false;
        }
        if (state == IDLE) {
            // A pipelined request decoded from bytes that arrived with the previous one.
            requestStart = now();
            firstRequest = false;
        }
        if (req.protocolVersion().majorVersion() != 1) {
            reject(VERSION_NOT_SUPPORTED, "HTTP version " + req.protocolVersion().text());
            return false;
        }
        state = BODY;
        head = req;
        bodySize = 0;
        arm(T_REQUEST, config.requestNanos(), requestStart);
        long length;
        try {
            length = HttpUtil.getContentLength(req, -1L);
        } catch (NumberFormatException e) {
            reject(BAD_REQUEST, "bad Content-Length");
            return false;
        }
        if (length > config.maxBodySize()) {
            reject(PAYLOAD_TOO_LARGE, "Content-Length " + length + " exceeds " + config.maxBodySize());
            return false;
        }
        expectedSize = length;
        String expect = req.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && req.protocolVersion() != HttpVersion.HTTP_1_0) {
            if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
                reject(EXPECTATION_FAILED, "Expect: " + expect);
                return false;
            }
            if (length != 0) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.CONTINUE,
                        Unpooled.EMPTY_BUFFER), ctx.voidPromise());
            }
        }
        return true;
    }

    private void onContent(HttpContent content) {
        if (state != BODY) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            malformed(content.decoderResult().cause(), false);
            return;
        }
        ByteBuf chunk = content.content();
        bodySize += chunk.readableBytes();
        if (bodySize > config.maxBodySize()) {
            content.release();
            reject(PAYLOAD_TOO_LARGE, "body exceeds " + config.maxBodySize() + " bytes");
            return;
        }
        appendBody(chunk);
        if (content instanceof LastHttpContent) {
            process();
        }
    }

    /** Takes ownership of {@code chunk}: the first is kept as it is, later ones are copied together. */
    private void appendBody(ByteBuf chunk) {
        if (!chunk.isReadable()) {
            chunk.release();
        } else if (body == null) {
            body = chunk;
        } else {
            if (!bodyCopied) {
                int capacity = expectedSize > 0 ? (int) expectedSize
                        : (int) Math.min(config.maxBodySize(), Math.max(1024L, 2L * (body.readableBytes() + chunk.readableBytes())));
                ByteBuf all = ctx.alloc().buffer(Math.max(capacity, body.readableBytes() + chunk.readableBytes()));
                all.writeBytes(body);
                body.release();
                body = all;
                bodyCopied = true;
            }
            body.writeBytes(chunk);
            chunk.release();
        }
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
        bodyCopied = false;
    }

    // --- processing ---

    private void process() {
        HttpRequest h = head;
        ByteBuf b = body != null ? body : Unpooled.EMPTY_BUFFER;
        head = null;
        body = null;
        bodyCopied = false;
        state = PROCESSING;
        timerKind = T_NONE;
        Counters.requestServed();
        Request req = new Request(h, b, config.mapper(), ctx.channel().remoteAddress());
        Response res = new Response(this, req, config.mapper());
        try {
            app.dispatcher().dispatch(req, res);
        } catch (Throwable t) {
            log.error("{} could not be answered; closing the connection", req, t);
            state = CLOSED;
            ctx.close();
        } finally {
            b.release();
        }
        if (state == PROCESSING) {
            if (serverClosing) {
                // The server began closing after this response was sent (e.g. by the handler itself).
                closeAfterWrites();
            } else {
                state = IDLE;
                arm(T_IDLE, config.keepAliveNanos(), now());
            }
        }
    }

    /** A buffer for a body of about {@code size} bytes, with room in front for the head (see {@link #send}). */
    ByteBuf bodyBuffer(int size) {
        ByteBuf buf = ctx.alloc().buffer(ResponseHead.HEADROOM + size);
        buf.setIndex(ResponseHead.HEADROOM, ResponseHead.HEADROOM);
        return buf;
    }

    /**
     * Writes the response of {@code req}; called once per request by {@link Response}. {@code headers} are
     * the ones the user set, null when none; {@code defaultType} is the Content-Type unless one was set.
     * The head is written in front of {@code content} when there is room: only buffers from
     * {@link #bodyBuffer} have a reader index above 0.
     */
    void send(Request req, int status, HttpHeaders headers, AsciiString defaultType, ByteBuf content) {
        if (state != PROCESSING) {
            content.release();
            throw new IllegalStateException("the connection of " + req + " is not waiting for a response");
        }
        boolean bodyless = status == 204 || status == 304;
        int length = bodyless ? -1 : content.readableBytes();
        if (bodyless || req.isHead()) {
            content.writerIndex(content.readerIndex());
        }
        HttpRequest h = req.head();
        // We speak HTTP/1.1, and HTTP/1.0 to a 1.0 client; a 1.x we do not know is answered as 1.1.
        boolean http10 = h.protocolVersion().minorVersion() == 0;
        boolean keepAlive = !serverClosing && HttpUtil.isKeepAlive(h) && (headers == null
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true));
        int headLength;
        if (headers == null && status != 205) {
            // The usual response: no header of the user's, so no header map at all.
            byte[] connection = !keepAlive ? ResponseHead.CLOSE : http10 ? ResponseHead.KEEP_ALIVE : null;
            headLength = ResponseHead.length(status, defaultType, length, connection);
            ByteBuf out = withHead(content, headLength);
            ResponseHead.write(out, http10, status, defaultType, length, connection);
            writeWithBody(out, content, !keepAlive);
            return;
        }
        if (headers == null) {
            headers = Response.newHeaders();
        }
        if (defaultType != null && !headers.contains(HttpHeaderNames.CONTENT_TYPE)) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, defaultType);
        }
        if (bodyless) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        } else {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            headers.set(HttpHeaderNames.CONNECTION, HTTP_1_0_KEEP_ALIVE);
        }
        if (status == 205 || headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            // Netty's encoder rewrites these (205 goes without a body, a chunked one is chunked): leave it to it.
            HttpVersion version = http10 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
            write(new DefaultFullHttpResponse(version, Statuses.of(status), content, headers, EmptyHttpHeaders.INSTANCE),
                    !keepAlive);
            return;
        }
        headLength = ResponseHead.length(status, headers);
        ByteBuf out = withHead(content, headLength);
        ResponseHead.write(out, http10, status, headers);
        writeWithBody(out, content, !keepAlive);
    }

    /** Bodies up to this size are copied behind their head rather than written as a second buffer. */
    private static final int COPY_BODY_MAX = 1024;

    /**
     * The buffer to write a head of {@code headLength} bytes into: {@code content} itself, its writer index
     * moved to where the head goes, when it has room in front; otherwise a new one.
     */
    private ByteBuf withHead(ByteBuf content, int headLength) {
        int start = content.readerIndex() - headLength;
        if (start >= 0) {
            content.readerIndex(start);
            content.markWriterIndex();
            content.writerIndex(start);
            return content;
        }
        int copied = content.readableBytes() <= COPY_BODY_MAX ? content.readableBytes() : 0;
        return ctx.alloc().buffer(headLength + copied);
    }

    /** Writes {@code head}, written by {@link #withHead}, and whatever of {@code content} it does not hold. */
    private void writeWithBody(ByteBuf head, ByteBuf content, boolean close) {
        if (head == content) {
            content.resetWriterIndex();
        } else if (content.readableBytes() <= COPY_BODY_MAX) {
            head.writeBytes(content);
            content.release();
        } else {
            ctx.write(head, ctx.voidPromise());
            head = content;
        }
        write(head, close);
    }

    private void write(Object response, boolean close) {
        if (close) {
            state = CLOSED;
            needsFlush = false;
            timerKind = T_NONE;
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else if (reading) {
            ctx.write(response, ctx.voidPromise());
            needsFlush = true;
        } else {
            ctx.writeAndFlush(response, ctx.voidPromise());
        }
    }

    /** Closes once everything written so far is flushed out. */
    private void closeAfterWrites() {
        state = CLOSED;
        needsFlush = false;
        timerKind = T_NONE;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    // --- refusals ---

    private void malformed(Throwable cause, boolean inHead) {
        HttpResponseStatus status = BAD_REQUEST;
        if (inHead && cause instanceof TooLongHttpLineException) {
            status = URI_TOO_LONG;
        } else if (inHead && cause instanceof TooLongHttpHeaderException) {
            status = HEADERS_TOO_LARGE;
        }
        reject(status, String.valueOf(cause));
    }

    /** Answers {@code status} with {@code {"error":reason}} and closes the connection. */
    private void reject(HttpResponseStatus status, String why) {
        if (log.isDebugEnabled()) {
            log.debug("{} {} from {}: {}", status.code(), status.reasonPhrase(), ctx.channel().remoteAddress(), why);
        }
        releaseBody();
        head = null;
        byte[] json = ("{\"error\":\"" + status.reasonPhrase() + "\"}").getBytes(StandardCharsets.US_ASCII);
        HttpHeaders headers = ERROR_HEADERS.newHeaders();
        headers.set(HttpHeaderNames.CONTENT_TYPE, Response.JSON_UTF8);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(json), headers,
                EmptyHttpHeaders.INSTANCE), true);
    }

    // --- the timer ---

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    /** Sets the deadline {@code from + timeout} for {@code kind}; a timeout of 0 disables it. */
    private void arm(int kind, long timeoutNanos, long from) {
        if (timeoutNanos <= 0) {
            timerKind = T_NONE;
            return;
        }
        timerKind = kind;
        deadline = from + timeoutNanos;
        if (timer == null || timerAt > deadline) {
            if (timer != null) {
                timer.cancel(false);
            }
            schedule(deadline);
        }
    }

    private void schedule(long at) {
        timerAt = at;
        timer = ctx.executor().schedule(onTimer, Math.max(0, at - now()), TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        if (timerKind == T_NONE || state == CLOSED) {
            return;
        }
        if (now() < deadline) {
            schedule(deadline);
            return;
        }
        switch (timerKind) {
            case T_IDLE -> {
                if (state == IDLE) {
                    log.debug("closing idle keep-alive connection {}", ctx.channel());
                    closeAfterWrites();
                }
            }
            case T_HEADERS, T_REQUEST -> {
                if (state == IDLE) {
                    log.debug("closing connection {} that sent no request", ctx.channel());
                    closeAfterWrites();
                } else if (state == RECEIVING || state == BODY) {
                    reject(REQUEST_TIMEOUT, timerKind == T_HEADERS ? "headers timeout" : "request timeout");
                }
            }
            default -> { }
        }
    }
}
