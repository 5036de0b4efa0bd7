package io.jcluster.worker;

import io.jcluster.ipc.Message;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.FileDescriptor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's fd link through Netty, one fd per message (where {@link io.jcluster.internal.FdBatch} is not
 * available; else {@link FdReader}): each fd is answered with Ack or Refuse runs, written once per read.
 */
final class FdHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FdHandler.class);
    private final AckRuns runs;
    private final Function<FileDescriptor, Boolean> take;
    private final Runnable closed;

    /**
     * {@code take} answers each fd (see {@link Listens#take}); {@code closed} runs when the link ends; {@code closes}
     * gives the closes to fold into each Ack.
     */
    FdHandler(Function<FileDescriptor, Boolean> take, Runnable closed, CloseReports closes) {
        this.runs = new AckRuns(closes::take);
        this.take = take;
        this.closed = closed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Boolean taken = take.apply((FileDescriptor) msg);
        if (taken != null) {
            Message ended = runs.add(taken);
            if (ended != null) {
                ctx.write(ended);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Message ended = runs.end();
        if (ended != null) {
            ctx.write(ended);
        }
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed.run();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.error("fd link to the primary failed", cause);
        ctx.close();
    }
}
