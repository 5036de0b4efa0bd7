package io.jcluster.primary;

import io.jcluster.ipc.Codec;
import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Ack;
import io.jcluster.ipc.Message.Disconnecting;
import io.jcluster.ipc.Message.Hello;
import io.jcluster.ipc.Message.ListenRequest;
import io.jcluster.ipc.Message.Listening;
import io.jcluster.ipc.Message.Refuse;
import io.jcluster.ipc.Message.ServerClosed;
import io.jcluster.ipc.Message.UserMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's ends of a worker's two links, all on the primary's I/O loop. A connection to a worker's IPC
 * socket must first present the worker's one-time token from a process whose pid (SO_PEERCRED) is the pid
 * the primary spawned; anything else is refused and logged.
 */
final class Links {
    private static final Logger log = LoggerFactory.getLogger(Links.class);
    private static final int HELLO_TIMEOUT_SECONDS = 30;

    private Links() {
    }

    static ChannelInitializer<Channel> initializer(Primary primary, WorkerHandle worker) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                Codec.install(ch.pipeline());
                ch.pipeline().addLast("timeout", new ReadTimeoutHandler(HELLO_TIMEOUT_SECONDS));
                ch.pipeline().addLast("auth", new Auth(primary, worker));
            }
        };
    }

    /**
     * A frame that does not decode is the worker's fault: it is dropped (and replaced if restart is on). An I/O
     * error (a reset as the worker dies) only closes the link; the process exit follows.
     */
    private static void linkFailed(ChannelHandlerContext ctx, WorkerHandle worker, String link, Throwable cause) {
        if (cause instanceof io.netty.handler.codec.DecoderException) {
            worker.dropForBadInput("malformed frame on the " + link + " link: " + cause.getMessage());
        } else {
            log.debug("{} link of worker {} failed: {}", link, worker.id(), cause.toString());
            ctx.close();
        }
    }

    private static final class Auth extends SimpleChannelInboundHandler<Message> {
        private final Primary primary;
        private final WorkerHandle worker;

        Auth(Primary primary, WorkerHandle worker) {
            this.primary = primary;
            this.worker = worker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
            if (!(msg instanceof Hello hello)) {
                refuse(ctx, -1, "first frame was " + msg.getClass().getSimpleName() + ", not Hello");
                return;
            }
            long peer;
            try {
                peer = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials().pid();
            } catch (IOException e) {
                refuse(ctx, -1, "no peer credentials: " + e.getMessage());
                return;
            }
            if (!MessageDigest.isEqual(hello.token().getBytes(StandardCharsets.UTF_8),
                    worker.token.getBytes(StandardCharsets.UTF_8))) {
                refuse(ctx, peer, "wrong token");
                return;
            }
            if (peer != worker.pid() || hello.pid() != peer) {
                refuse(ctx, peer, "peer pid is not the worker's pid " + worker.pid());
                return;
            }
            Channel ch = ctx.channel();
            ctx.pipeline().remove("timeout");
            if (hello.link() == Message.Link.CONTROL) {
                if (worker.control() != null) {
                    refuse(ctx, peer, "a second control link");
                    return;
                }
                worker.control(ch);
                ctx.pipeline().replace(this, "control", new Control(primary, worker));
            } else {
                if (worker.fdLink() != null) {
                    refuse(ctx, peer, "a second fd link");
                    return;
                }
                FdLink link = new FdLink(worker, ch, primary.window(),
                        hello.link() == Message.Link.FDS_BATCHED);
                worker.fdLink(link);
                ctx.pipeline().replace(this, "fds", new Fds(primary, link));
            }
            if (worker.control() != null && worker.fdLink() != null) {
                primary.links.linksUp(worker);
            }
        }

        private void refuse(ChannelHandlerContext ctx, long peer, String why) {
            log.warn("refused an IPC connection to worker {} from pid {}: {}", worker.id(), peer, why);
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("refused an IPC connection to worker {}: {}", worker.id(), cause.toString());
            ctx.close();
        }
    }

    /** Frames from the worker on its control link. */
    private static final class Control extends SimpleChannelInboundHandler<Message> {
        private final Primary primary;
        private final WorkerHandle worker;

        Control(Primary primary, WorkerHandle worker) {
            this.primary = primary;
            this.worker = worker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
            if (msg instanceof ListenRequest r) {
                primary.dispatcher().listen(worker, r);
            } else if (msg instanceof Listening l) {
                primary.links.listening(worker, l);
            } else if (msg instanceof ServerClosed c) {
                primary.dispatcher().serverClosed(worker, c.host(), c.port());
            } else if (msg instanceof UserMessage u) {
                primary.links.message(worker, u);
            } else if (msg instanceof Message.Request r) {
                primary.messaging.request(worker, r);
            } else if (msg instanceof Message.Reply r) {
                primary.messaging.reply(worker, r);
            } else if (msg instanceof Message.Broadcast b) {
                primary.messaging.broadcastFrom(worker, b);
            } else if (msg instanceof Message.Pong p) {
                primary.links.pong(worker, p);
            } else if (msg instanceof Message.Stats s) {
                primary.links.stats(worker, s);
            } else if (msg instanceof Disconnecting || msg instanceof Message.Stopping) {
                primary.dispatcher().leave(worker, false);
                primary.links.disconnecting(worker, msg instanceof Disconnecting);
            } else if (msg instanceof Message.BootFailed b) {
                primary.links.bootFailed(worker, b);
            } else {
                worker.dropForBadInput("unexpected message on the control link: " + msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            primary.links.linkDown(worker);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            linkFailed(ctx, worker, "control", cause);
        }
    }

    /** Acks and refusals from the worker on its fd link. */
    private static final class Fds extends SimpleChannelInboundHandler<Message> {
        private final Primary primary;
        private final FdLink link;

        Fds(Primary primary, FdLink link) {
            this.primary = primary;
            this.link = link;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
            if (msg instanceof Ack a) {
                primary.dispatcher().ack(link, a.count(), a.closed());
            } else if (msg instanceof Refuse r) {
                primary.dispatcher().refuse(link, r.count());
            } else {
                link.worker.dropForBadInput("unexpected message on the fd link: " + msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            primary.died(link.worker);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            linkFailed(ctx, link.worker, "fd", cause);
        }
    }
}
