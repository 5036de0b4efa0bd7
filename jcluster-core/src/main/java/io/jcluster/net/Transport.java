package io.jcluster.net;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Internal: picks Netty's native epoll transport. Clustering needs it (fd passing over Unix domain
 * sockets); a standalone server falls back to NIO where epoll is missing.
 */
public final class Transport {
    private Transport() {
    }

    public static boolean epoll() {
        return Epoll.isAvailable();
    }

    /** Fails with a clear message when the native epoll transport cannot be loaded. */
    public static void requireEpoll() {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("jcluster's cluster mode needs Linux with Netty's native epoll transport "
                    + "(x86_64 or aarch64); it could not be loaded: " + Epoll.unavailabilityCause(),
                    Epoll.unavailabilityCause());
        }
    }

    public static EventLoopGroup newGroup(int threads, String name, boolean daemon) {
        IoHandlerFactory factory = epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, daemon), factory);
    }

    public static ServerChannel newServerChannel() {
        return epoll() ? new EpollServerSocketChannel() : new NioServerSocketChannel();
    }

    /** True for channels of the native transport, whose file descriptors can be passed. */
    public static boolean isNative(Channel ch) {
        return ch instanceof io.netty.channel.unix.UnixChannel;
    }
}
