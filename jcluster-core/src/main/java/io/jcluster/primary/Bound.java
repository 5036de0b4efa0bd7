package io.jcluster.primary;

import io.jcluster.cluster.ListenException;
import io.jcluster.ipc.Message.ListenReply;
import io.jcluster.ipc.Message.ListenRequest;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The listening socket of a handle: bound once on the primary's I/O loop; requests that arrive while it binds
 * wait; a bind error is answered to each of them as data (an errno-like code), never thrown.
 */
final class Bound {
    static final int BACKLOG = 511;

    private final Dispatcher dispatcher;
    private final String host;
    private final int port;
    private final EpollServerSocketChannel channel = new EpollServerSocketChannel();
    private final List<Runnable> waiting = new ArrayList<>();
    private InetSocketAddress address;
    private ListenException error;
    private boolean closed;
    private boolean paused;

    Bound(Dispatcher dispatcher, String host, int port, ChannelHandler handler, boolean accept) {
        this.dispatcher = dispatcher;
        this.host = host;
        this.port = port;
        channel.config().setOption(ChannelOption.SO_BACKLOG, BACKLOG);
        channel.config().setOption(ChannelOption.SO_REUSEADDR, true);
        channel.config().setAutoRead(accept);
        channel.pipeline().addLast(handler);
        bind();
    }

    private void bind() {
        InetSocketAddress at;
        try {
            at = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
            if (at.isUnresolved()) {
                throw new java.net.UnknownHostException(host);
            }
        } catch (Exception e) {
            failed(e);
            return;
        }
        dispatcher.loop().register(channel).addListener(reg -> {
            if (!reg.isSuccess()) {
                failed(reg.cause());
                return;
            }
            channel.bind(at).addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    address = channel.localAddress();
                } else {
                    failed(f.cause());
                }
                runWaiting();
            });
        });
    }

    private void failed(Throwable cause) {
        error = ListenException.of(host, port, cause);
        closed = true;
        channel.close();
        runWaiting();
    }

    private void runWaiting() {
        List<Runnable> w = new ArrayList<>(waiting);
        waiting.clear();
        w.forEach(Runnable::run);
    }

    /** Runs {@code ok} with the address once bound, or answers the error (then runs {@code onError}). */
    void whenBound(ListenRequest request, FdLink worker, Consumer<InetSocketAddress> ok, Runnable onError) {
        Runnable r = () -> {
            if (address != null && !closed) {
                ok.accept(address);
            } else {
                ListenException e = error != null ? error
                        : new ListenException(host, port, "EIO", "the listening socket was closed");
                dispatcher.reply(worker.worker, ListenReply.error(request.requestId(), host, port, e.code(),
                        String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage())));
                onError.run();
            }
        };
        if (address == null && error == null) {
            waiting.add(r);
        } else {
            r.run();
        }
    }

    void pauseAccepting(boolean pause) {
        if (pause != paused && !closed) {
            paused = pause;
            channel.config().setAutoRead(!pause);
        }
    }

    FileDescriptor fd() {
        return channel.fd();
    }

    boolean closed() {
        return closed;
    }

    void close() {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }
}
