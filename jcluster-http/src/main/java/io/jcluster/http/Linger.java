package io.jcluster.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after a refusal without resetting a client that is still sending (RFC 9112 §9.6): once
 * the refusal is written, our side is half-closed (FIN), and what the client still sends is read and discarded
 * up to a byte limit and a deadline ({@link HttpOptions#lingerTimeout}, {@link HttpOptions#maxLingerBytes});
 * the client's own close ends it sooner. Closing at once with unread input would make the kernel send a reset,
 * and a client still uploading would often see the reset instead of the answer.
 *
 * <p>Installed first in the pipeline, so nothing more reaches the request decoder. A channel that cannot be
 * half-closed (not a socket) is closed at once. Event loop only.
 */
final class Linger extends ChannelInboundHandlerAdapter {
    private final long maxBytes;
    private long bytes;
    private ScheduledFuture<?> deadline;

    private Linger(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Closes {@code ch} once {@code written} (the refusal) completes: lingering when {@code config} allows. */
    static void closeAfter(ChannelFuture written, Config config) {
        written.addListener(f -> {
            Channel ch = written.channel();
            if (!f.isSuccess() || config.lingerNanos() <= 0 || !(ch instanceof DuplexChannel duplex) || !ch.isActive()
                    || duplex.isInputShutdown()) {
                ch.close();
                return;
            }
            Linger linger = new Linger(config.maxLingerBytes());
            ch.pipeline().addFirst("http-linger", linger);
            Runnable close = ch::close;
            linger.deadline = ch.eventLoop().schedule(close, config.lingerNanos(), TimeUnit.NANOSECONDS);
            duplex.shutdownOutput().addListener(s -> {
                if (!s.isSuccess()) {
                    ch.close();
                }
            });
            ch.config().setAutoRead(true);
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            bytes += buf.readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (bytes > maxBytes) {
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // swallowed: the handlers behind are done with this connection
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // ChannelInputShutdownEvent and the like: the client is done sending, so are we.
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
