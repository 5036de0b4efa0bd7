package io.jcluster.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;

/**
 * Writes one connection's responses: the head is written in front of the body when the body's buffer has room
 * (one buffer, one write), a small body is copied behind a head that has none, and writes made while the
 * connection is reading are flushed once, when the read completes (pipelined requests share a flush).
 * Event loop only.
 */
final class ResponseWriter {
    private static final AsciiString HTTP_1_0_KEEP_ALIVE = HttpHeaderValues.KEEP_ALIVE;

    private final ChannelHandlerContext ctx;
    private final Runnable closing;
    private final SlowReaderGuard guard;
    private boolean reading;
    private boolean needsFlush;

    /** {@code closing} runs when a write closes the connection, before the write. */
    ResponseWriter(ChannelHandlerContext ctx, Runnable closing, SlowReaderGuard guard) {
        this.ctx = ctx;
        this.closing = closing;
        this.guard = guard;
    }

    /** Input is being read: responses written now wait for {@link #readComplete} to be flushed. */
    void reading() {
        reading = true;
    }

    void readComplete() {
        reading = false;
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
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
     * {@link #bodyBuffer} have a reader index above 0. {@code serverClosing}: the response says Connection: close.
     *
     * <p>Framing (RFC 9112 §6): a response has Content-Length or, when the user set Transfer-Encoding (ending in
     * chunked, see {@link Response#header}), Transfer-Encoding, never both; an HTTP/1.0 client, a 204, 205 or
     * 304 never gets Transfer-Encoding. A HEAD response has the head of the GET response and nothing after it,
     * not even a chunked body's terminator (it would be read as the start of the next response).
     */
    void send(Request req, int status, HttpHeaders headers, AsciiString defaultType, ByteBuf content,
              boolean serverClosing) {
        if (!guard.admit()) {
            content.release(); // a slow reader: the connection is closed
            return;
        }
        boolean bodyless = status == 204 || status == 304;
        int length = bodyless ? -1 : status == 205 ? 0 : content.readableBytes();
        if (bodyless || status == 205 || req.isHead()) {
            content.writerIndex(content.readerIndex());
        }
        HttpRequest h = req.head();
        // We speak HTTP/1.1, and HTTP/1.0 to a 1.0 client; a 1.x we do not know is answered as 1.1.
        boolean http10 = h.protocolVersion().minorVersion() == 0;
        boolean keepAlive = !serverClosing && HttpUtil.isKeepAlive(h) && (headers == null
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true));
        int headLength;
        if (headers == null) {
            // The usual response: no header of the user's, so no header map at all.
            byte[] connection = !keepAlive ? ResponseHead.CLOSE : http10 ? ResponseHead.KEEP_ALIVE : null;
            headLength = ResponseHead.length(status, defaultType, length, connection);
            ByteBuf out = withHead(content, headLength);
            ResponseHead.write(out, http10, status, defaultType, length, connection);
            writeWithBody(out, content, !keepAlive);
            return;
        }
        if (defaultType != null && !headers.contains(HttpHeaderNames.CONTENT_TYPE)) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, defaultType);
        }
        boolean chunked = headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
        if (chunked && (bodyless || status == 205 || http10)) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            chunked = false;
        }
        if (bodyless || chunked) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        } else {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            headers.set(HttpHeaderNames.CONNECTION, HTTP_1_0_KEEP_ALIVE);
        }
        byte[] date = headers.contains(HttpHeaderNames.DATE) ? null : HttpDate.line();
        headLength = ResponseHead.length(status, headers, date);
        if (chunked && !req.isHead()) {
            writeChunked(status, headers, date, headLength, content, !keepAlive);
            return;
        }
        ByteBuf out = withHead(content, headLength);
        ResponseHead.write(out, http10, status, headers, date);
        writeWithBody(out, content, !keepAlive);
    }

    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
    private static final byte[] CRLF_LAST_CHUNK = {'\r', '\n', '0', '\r', '\n', '\r', '\n'};

    /** Writes the head, then {@code content} as one chunk (none when empty) and the last chunk. */
    private void writeChunked(int status, HttpHeaders headers, byte[] date, int headLength, ByteBuf content,
                              boolean close) {
        int n = content.readableBytes();
        ByteBuf head = ctx.alloc().buffer(headLength + 10);
        ResponseHead.write(head, false, status, headers, date);
        if (n == 0) {
            content.release();
            head.writeBytes(LAST_CHUNK);
            write(head, close);
            return;
        }
        head.writeCharSequence(Integer.toHexString(n), CharsetUtil.US_ASCII);
        head.writeByte('\r').writeByte('\n');
        ctx.write(head, ctx.voidPromise());
        ctx.write(content, ctx.voidPromise());
        write(Unpooled.wrappedBuffer(CRLF_LAST_CHUNK), close);
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

    /** Writes a response; {@code close}: then the connection closes (the handler is told first). */
    void write(Object response, boolean close) {
        if (close) {
            closing.run();
            needsFlush = false;
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            guard.closingAfterWrites();
        } else if (reading && ctx.channel().isWritable()) {
            ctx.write(response, ctx.voidPromise());
            needsFlush = true;
        } else {
            // Not reading, or so much is waiting that the channel turned unwritable in the middle of a read batch:
            // flush now, rather than let our own batching look like a client that does not read.
            ctx.writeAndFlush(response, ctx.voidPromise());
            needsFlush = false;
        }
    }

    /** Writes a refusal, then closes the connection lingering ({@link Linger}). */
    void refuse(Object response, Config config) {
        closing.run();
        needsFlush = false;
        Linger.closeAfter(ctx.writeAndFlush(response), config);
        guard.closingAfterWrites();
    }

    /** Closes once everything written so far is flushed out. */
    void closeAfterWrites() {
        closing.run();
        needsFlush = false;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        guard.closingAfterWrites();
    }
}
