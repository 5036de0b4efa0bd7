package io.jcluster.worker;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First in the pipeline of every connection this worker adopted. The primary holds another reference to
 * the same socket until it reads our Ack, so closing our fd alone would not end the connection: the peer
 * would see the FIN only after that round trip and would often close first, leaving its side in TIME_WAIT
 * (a client then pays for that in connect). Closing shuts the socket down at once instead, as closing the
 * last fd does in a single process. (Closes Netty makes itself after the peer has gone skip the pipeline,
 * and need no FIN from us first.)
 */
@ChannelHandler.Sharable
final class ShutdownOnClose extends ChannelOutboundHandlerAdapter {
    static final ShutdownOnClose INSTANCE = new ShutdownOnClose();
    private static final Logger log = LoggerFactory.getLogger(ShutdownOnClose.class);

    private ShutdownOnClose() {
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        if (ctx.channel().isOpen()) {
            try {
                ((Socket) ((EpollSocketChannel) ctx.channel()).fd()).shutdown(false, true);
            } catch (IOException e) {
                // ENOTCONN: the peer reset or finished first, and there is nothing left to shut.
                log.debug("shutdown of a closing connection: {}", e.toString());
            }
        }
        ctx.close(promise);
    }
}
