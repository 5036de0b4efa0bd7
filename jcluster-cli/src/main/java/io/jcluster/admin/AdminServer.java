package io.jcluster.admin;

import io.jcluster.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The primary's HTTP admin endpoint ({@code --admin [HOST:]PORT}): health and readiness probes, Prometheus metrics,
 * the status JSON, the event stream and the dashboard ({@link AdminHandler} has the routes). It runs on its own
 * one-thread event loop, {@value #THREAD}, apart from the data plane's ({@code jcluster-primary-io}) and the
 * supervisor's threads; it reads snapshots and never waits on a worker. Mutations (reload, scale) need the token and
 * run on {@value #MUTATIONS_THREAD}.
 */
public final class AdminServer implements AutoCloseable {
    public static final String THREAD = "jcluster-admin";
    static final String MUTATIONS_THREAD = "jcluster-admin-mutations";
    /** Largest request body (a scale's JSON): anything bigger is refused. */
    static final int MAX_REQUEST = 16 * 1024;
    /** A client holding more unsent bytes than this is not writable: the event stream drops it. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

    private final EventLoopGroup loop;
    private final ExecutorService mutations;
    private final Channel server;
    private final InetSocketAddress bound;

    private AdminServer(EventLoopGroup loop, ExecutorService mutations, Channel server) {
        this.loop = loop;
        this.mutations = mutations;
        this.server = server;
        this.bound = (InetSocketAddress) server.localAddress();
    }

    /**
     * Binds {@code address} and serves; throws {@link IOException} (with the address and the system's reason) when it
     * cannot bind. {@code token} null: read-only (mutations answer 403).
     */
    public static AdminServer start(AdminAddress address, AdminSource cluster, PrometheusRegistry metrics,
                                    String token, int minReady) throws IOException {
        IoHandlerFactory io = Transport.epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, (java.util.concurrent.ThreadFactory) r -> daemon(new FastThreadLocalThread(r, THREAD)), io);
        ExecutorService mutations = Executors.newSingleThreadExecutor(r -> daemon(new Thread(r, MUTATIONS_THREAD)));
        ExpositionFormats formats = ExpositionFormats.init();
        StaticFiles files = new StaticFiles(AdminServer.class.getClassLoader());
        ServerBootstrap b = new ServerBootstrap()
                .group(loop)
                .channelFactory(Transport::newServerChannel)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST),
                                new AdminHandler(cluster, metrics, formats, files, token, minReady, mutations));
                    }
                });
        try {
            Channel server = b.bind(address.host(), address.port()).syncUninterruptibly().channel();
            return new AdminServer(loop, mutations, server);
        } catch (Exception e) {
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            mutations.shutdownNow();
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IOException("the admin endpoint cannot listen on " + address.authority() + ": " + why, e);
        }
    }

    private static Thread daemon(Thread t) {
        t.setDaemon(true);
        return t;
    }

    /** The address bound (the port chosen when 0 was asked for). */
    public InetSocketAddress address() {
        return bound;
    }

    /** The dashboard's URL: {@code http://127.0.0.1:8001/}. */
    public String url() {
        String host = bound.getAddress() == null ? bound.getHostString() : bound.getAddress().getHostAddress();
        if (bound.getAddress() != null && bound.getAddress().isAnyLocalAddress()) {
            host = bound.getAddress() instanceof java.net.Inet6Address ? "::" : "0.0.0.0";
        }
        int pct = host.indexOf('%');
        return "http://" + AdminAddress.authority(pct < 0 ? host : host.substring(0, pct), bound.getPort()) + "/";
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        mutations.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
