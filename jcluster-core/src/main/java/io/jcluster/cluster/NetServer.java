package io.jcluster.cluster;

import io.jcluster.net.SharedGroup;
import io.jcluster.net.Transport;
import io.jcluster.worker.ConnectionSink;
import io.jcluster.worker.Counters;
import io.jcluster.worker.WorkerRuntime;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP server for any Netty pipeline whose {@link #listen} is cluster-aware, like Node's {@code net.Server}:
 * inside a worker the primary shares its port with every worker listening on the same address; elsewhere it
 * binds directly. The HTTP layer is built on it; raw TCP protocols can use it as it is.
 *
 * <pre>{@code
 * NetServer.create(new ChannelInitializer<>() {
 *     protected void initChannel(Channel ch) { ch.pipeline().addLast(new EchoHandler()); }
 * }).listen(7000).join();
 * }</pre>
 */
public final class NetServer {
    private static final Logger log = LoggerFactory.getLogger(NetServer.class);

    private final ChannelInitializer<Channel> initializer;
    private final Map<ChannelOption<?>, Object> childOptions = new ConcurrentHashMap<>();
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Sink sink = new Sink();

    private volatile EventLoopGroup group;
    private volatile boolean standalone;
    private volatile Channel listener;
    private volatile InetSocketAddress address;
    private volatile boolean listening;
    private volatile boolean closing;

    private NetServer(ChannelInitializer<Channel> initializer) {
        this.initializer = Objects.requireNonNull(initializer, "initializer");
    }

    /** A server whose connections are set up by {@code childInitializer}. */
    public static NetServer create(ChannelInitializer<Channel> childInitializer) {
        return new NetServer(childInitializer);
    }

    /** Sets an option on every accepted connection. */
    public <T> NetServer childOption(ChannelOption<T> option, T value) {
        childOptions.put(option, value);
        return this;
    }

    /** Listens on all interfaces. */
    public CompletableFuture<InetSocketAddress> listen(int port) {
        return listen("", port);
    }

    /**
     * Listens on {@code host:port} ({@code ""} or {@code null} for all interfaces, port 0 for any free port).
     * The future fails with a {@link ListenException} that names the address and the cause.
     */
    public synchronized CompletableFuture<InetSocketAddress> listen(String host, int port) {
        String h = host == null ? "" : host;
        if (listening || closing) {
            return CompletableFuture.failedFuture(new IllegalStateException("server is already listening or closed"));
        }
        if (port < 0 || port > 65535) {
            return CompletableFuture.failedFuture(new ListenException(h, port, "EINVAL", "port out of range 0-65535"));
        }
        listening = true;
        WorkerRuntime runtime = WorkerRuntime.current();
        CompletableFuture<InetSocketAddress> bound = runtime != null ? listenInCluster(runtime, h, port) : bind(h, port);
        // Complete the caller's future ourselves so a ListenException arrives unwrapped, after the state is set.
        CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
        bound.whenComplete((addr, err) -> {
            if (err != null) {
                listening = false;
                result.completeExceptionally(err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause() : err);
            } else {
                address = addr;
                result.complete(addr);
            }
        });
        return result;
    }

    private CompletableFuture<InetSocketAddress> listenInCluster(WorkerRuntime runtime, String host, int port) {
        group = runtime.group();
        return runtime.listen(host, port, sink);
    }

    private CompletableFuture<InetSocketAddress> bind(String host, int port) {
        CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
        InetSocketAddress at;
        try {
            at = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
            if (at.isUnresolved()) {
                throw new java.net.UnknownHostException(host);
            }
        } catch (Exception e) {
            result.completeExceptionally(ListenException.of(host, port, e));
            return result;
        }
        EventLoopGroup g = SharedGroup.acquire();
        group = g;
        ServerChannel ch = Transport.newServerChannel();
        ch.config().setOption(ChannelOption.SO_BACKLOG, 511);
        ch.config().setOption(ChannelOption.SO_REUSEADDR, true);
        ch.pipeline().addLast(new Acceptor());
        g.register(ch).addListener(reg -> {
            if (!reg.isSuccess()) {
                ch.unsafe().closeForcibly();
                SharedGroup.release();
                result.completeExceptionally(ListenException.of(host, port, reg.cause()));
                return;
            }
            ch.bind(at).addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    boolean closedMeanwhile;
                    synchronized (NetServer.this) { // atomic with close(): it either sees the listener or we see it closing
                        closedMeanwhile = closing;
                        if (!closedMeanwhile) {
                            standalone = true; // from now on close() releases the shared group, once
                            listener = ch;
                        }
                    }
                    if (closedMeanwhile) {
                        ch.close();
                        SharedGroup.release();
                        result.completeExceptionally(new ListenException(host, port, "ECANCELED", "closed while binding"));
                    } else {
                        result.complete((InetSocketAddress) ch.localAddress());
                    }
                } else {
                    ch.close();
                    SharedGroup.release();
                    result.completeExceptionally(ListenException.of(host, port, f.cause()));
                }
            });
        });
        return result;
    }

    /** The address this server listens on, or null before it does. */
    public InetSocketAddress address() {
        return address;
    }

    /** Connections open now. */
    public int connections() {
        return open.get();
    }

    /**
     * Closes gracefully: stops taking connections, fires {@link ServerClosing} into every open one, and
     * completes when the last has closed. Inside a worker the primary stops handing this worker connections
     * for this address (and closes the port when this was the last worker on it).
     */
    public CompletableFuture<Void> close() {
        synchronized (this) {
            if (closing) {
                return closed;
            }
            closing = true;
        }
        Channel l = listener;
        if (l != null) {
            l.close();
        }
        WorkerRuntime runtime = WorkerRuntime.current();
        if (!standalone && runtime != null && listening) {
            runtime.serverClosed(sink);
        }
        for (Channel c : connections) {
            if (c.isRegistered()) { // not yet registered: its registration listener tells it
                c.eventLoop().execute(() -> c.pipeline().fireUserEventTriggered(ServerClosing.INSTANCE));
            }
        }
        maybeClosed();
        return closed;
    }

    private void maybeClosed() {
        if (closing && open.get() == 0 && !closed.isDone()) {
            Channel l = listener;
            CompletableFuture<Void> listenerClosed = new CompletableFuture<>();
            if (l == null) {
                listenerClosed.complete(null);
            } else {
                l.closeFuture().addListener(f -> listenerClosed.complete(null));
            }
            listenerClosed.thenRun(() -> {
                if (closed.complete(null) && standalone) {
                    SharedGroup.release();
                }
            });
        }
    }

    /** Takes ownership of an accepted or handed-over connection: pipeline, options, event loop. */
    private boolean adopt(Channel child) {
        if (closing) {
            return false;
        }
        if (!child.isActive()) {
            // Reset before we took it; registering it would leak its fd.
            child.unsafe().closeForcibly();
            return true;
        }
        for (Map.Entry<ChannelOption<?>, Object> e : childOptions.entrySet()) {
            setOption(child, e.getKey(), e.getValue());
        }
        child.pipeline().addLast(initializer);
        open.incrementAndGet();
        Counters.connectionOpened();
        connections.add(child);
        child.closeFuture().addListener(onClose);
        group.register(child).addListener(onRegistered);
        return true;
    }

    // One listener each per server, made with it: a connection allocates none, and a worker's first connection (a
    // promoted hot spare's, say) does not pay for linking two lambdas, which took 4-6 ms each on a 2-core host.
    private final ChannelFutureListener onClose = f -> {
        connections.remove(f.channel());
        open.decrementAndGet();
        Counters.connectionClosed();
        maybeClosed();
    };

    private final ChannelFutureListener onRegistered = f -> {
        if (!f.isSuccess()) {
            log.warn("could not register a connection", f.cause());
            f.channel().unsafe().closeForcibly();
        } else if (closing) {
            f.channel().pipeline().fireUserEventTriggered(ServerClosing.INSTANCE);
        }
    };

    @SuppressWarnings("unchecked")
    private static void setOption(Channel ch, ChannelOption<?> option, Object value) {
        if (!ch.config().setOption((ChannelOption<Object>) option, value)) {
            log.warn("unknown child option {} for {}", option, ch.getClass().getSimpleName());
        }
    }

    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            if (!adopt(child)) {
                child.unsafe().closeForcibly();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // accept() failures (EMFILE and the like) must not close the listener; Netty backs off by itself.
            log.warn("accept failed on {}: {}", ctx.channel().localAddress(), cause.toString());
        }
    }

    private final class Sink implements ConnectionSink {
        @Override
        public boolean adopt(Channel connection) {
            return NetServer.this.adopt(connection);
        }

        @Override
        public CompletableFuture<Void> close() {
            return NetServer.this.close();
        }

        @Override
        public void adoptListener(ServerChannel shared) {
            shared.pipeline().addLast(new Acceptor());
            listener = shared;
            if (closing) {
                shared.unsafe().closeForcibly();
                return;
            }
            group.register(shared).addListener(f -> {
                if (!f.isSuccess()) {
                    log.warn("could not register the shared listener", f.cause());
                    shared.unsafe().closeForcibly();
                }
            });
        }
    }
}
