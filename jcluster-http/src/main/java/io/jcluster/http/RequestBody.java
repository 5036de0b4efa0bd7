package io.jcluster.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * The body of the request being received on one connection. The first chunk is kept as it is (most bodies are
 * one chunk); when a second comes, they are copied together into one buffer sized from Content-Length, else
 * grown. Owns its buffer until {@link #take}. Event loop only.
 */
final class RequestBody {
    private ByteBuf body;
    private boolean copied;
    private long size;
    private long expected;

    /** A new request: nothing received; {@code expectedSize} is its Content-Length, or -1. */
    void start(long expectedSize) {
        size = 0;
        expected = expectedSize;
    }

    /** Whether {@code more} bytes would take the body over {@code max}; they are counted either way. */
    boolean exceeds(int more, long max) {
        size += more;
        return size > max;
    }

    /** Takes ownership of {@code chunk}. */
    void append(ByteBuf chunk, ByteBufAllocator alloc, long max) {
        if (!chunk.isReadable()) {
            chunk.release();
        } else if (body == null) {
            body = chunk;
        } else {
            if (!copied) {
                int capacity = expected > 0 ? (int) expected
                        : (int) Math.min(max, Math.max(1024L, 2L * (body.readableBytes() + chunk.readableBytes())));
                ByteBuf all = alloc.buffer(Math.max(capacity, body.readableBytes() + chunk.readableBytes()));
                all.writeBytes(body);
                body.release();
                body = all;
                copied = true;
            }
            body.writeBytes(chunk);
            chunk.release();
        }
    }

    /** The body received (the caller owns it from now on), empty when none came. */
    ByteBuf take() {
        ByteBuf b = body != null ? body : Unpooled.EMPTY_BUFFER;
        body = null;
        copied = false;
        return b;
    }

    void release() {
        if (body != null) {
            body.release();
            body = null;
        }
        copied = false;
    }
}
