package io.jcluster.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;

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
    private boolean reading;
    private boolean needsFlush;

    /** {@code closing} runs when a write closes the connection, before the write. */
    ResponseWriter(ChannelHandlerContext ctx, Runnable closing) {
        this.ctx = ctx;
        this.closing = closing;
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
     */
    void send(Request req, int status, HttpHeaders headers, AsciiString defaultType, ByteBuf content,
              boolean serverClosing) {
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

    /** Writes a response; {@code close}: then the connection closes (the handler is told first). */
    void write(Object response, boolean close) {
        if (close) {
            closing.run();
            needsFlush = false;
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else if (reading) {
            ctx.write(response, ctx.voidPromise());
            needsFlush = true;
        } else {
            ctx.writeAndFlush(response, ctx.voidPromise());
        }
    }

    /** Closes once everything written so far is flushed out. */
    void closeAfterWrites() {
        closing.run();
        needsFlush = false;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
