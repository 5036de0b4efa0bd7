package io.jcluster.agent;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.function.BiFunction;
import net.bytebuddy.asm.Advice;

/**
 * The advice woven into the JDK's and Netty's bind paths. It is inlined into {@code java.base} (and into the
 * application's Netty), so it names only {@code java.base} types and reaches the agent through one object
 * those classes can see: the {@link BindHook} stored in the system properties under {@link BindHook#KEY}.
 * Every method here is a few lines; the logic is in {@link BindHook}.
 */
final class BindAdvice {
    private BindAdvice() {
    }

    /**
     * On the server-only bind methods ({@code ServerSocketChannelImpl.netBind}, {@code NioSocketImpl.bind} of a
     * server socket, Netty's server channels' {@code doBind}): the binds in its scope on this thread are a
     * listening socket's.
     */
    static final class ServerScope {
        private ServerScope() {
        }

        @Advice.OnMethodEnter
        @SuppressWarnings("unchecked")
        static void enter() {
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook != null) {
                ((BiFunction<String, Object, Object>) hook).apply("enter", null);
            }
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        @SuppressWarnings("unchecked")
        static void exit() {
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook != null) {
                ((BiFunction<String, Object, Object>) hook).apply("exit", null);
            }
        }
    }

    /** {@code NioSocketImpl.bind}: the same scope, for a {@code ServerSocket}'s impl only (its field {@code server}). */
    static final class NioSocketImplScope {
        private NioSocketImplScope() {
        }

        @Advice.OnMethodEnter
        @SuppressWarnings("unchecked")
        static boolean enter(@Advice.FieldValue("server") boolean server) {
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook != null && server) {
                ((BiFunction<String, Object, Object>) hook).apply("enter", null);
                return true;
            }
            return false;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        @SuppressWarnings("unchecked")
        static void exit(@Advice.Enter boolean entered) {
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook != null && entered) {
                ((BiFunction<String, Object, Object>) hook).apply("exit", null);
            }
        }
    }

    /**
     * {@code sun.nio.ch.Net.bind(ProtocolFamily, FileDescriptor, InetAddress, int)}, the one bind of every JDK
     * socket: inside a server scope the hook serves it (the real bind is skipped); anywhere else (a client
     * socket, UDP) it runs untouched.
     */
    static final class JdkBind {
        private JdkBind() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        @SuppressWarnings("unchecked")
        static boolean enter(@Advice.Argument(1) FileDescriptor fd, @Advice.Argument(2) InetAddress address,
                             @Advice.Argument(3) int port) throws IOException {
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook == null) {
                return false;
            }
            Object r = ((BiFunction<String, Object, Object>) hook).apply("jdk", new Object[] {fd, address, port});
            if (r instanceof IOException) {
                throw (IOException) r;
            }
            return r != null;
        }
    }

    /** Netty's {@code io.netty.channel.unix.Socket.bind(SocketAddress)} (epoll, io_uring): as {@link JdkBind}. */
    static final class NettyBind {
        private NettyBind() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        @SuppressWarnings("unchecked")
        static boolean enter(@Advice.This Object socket, @Advice.Argument(0) SocketAddress address) throws IOException {
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook == null) {
                return false;
            }
            Object r = ((BiFunction<String, Object, Object>) hook).apply("netty", new Object[] {socket, address});
            if (r instanceof IOException) {
                throw (IOException) r;
            }
            return r != null;
        }
    }

    /**
     * {@code ServerSocketChannelImpl.accept()} (Tomcat, Jetty, Undertow, the JDK's HttpServer, Netty's NIO transport):
     * a channel returned is a connection accepted; the hook counts it when the listening socket is one the primary
     * serves.
     */
    static final class ChannelAccept {
        private ChannelAccept() {
        }

        @Advice.OnMethodExit
        @SuppressWarnings("unchecked")
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Return Object accepted) {
            if (accepted == null) {
                return;
            }
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook != null) {
                ((BiFunction<String, Object, Object>) hook).apply("accepted", fd);
            }
        }
    }

    /** {@code NioSocketImpl.accept(SocketImpl)} ({@code ServerSocket.accept}): returning without a throw is a connection. */
    static final class SocketAccept {
        private SocketAccept() {
        }

        @Advice.OnMethodExit
        @SuppressWarnings("unchecked")
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd) {
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook != null) {
                ((BiFunction<String, Object, Object>) hook).apply("accepted", fd);
            }
        }
    }

    /** Netty's {@code io.netty.channel.unix.Socket.accept(byte[])} (the epoll transport): an fd of 0 or more is a connection. */
    static final class NettyAccept {
        private NettyAccept() {
        }

        @Advice.OnMethodExit
        @SuppressWarnings("unchecked")
        static void exit(@Advice.This Object socket, @Advice.Return int fd) {
            if (fd < 0) {
                return;
            }
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook != null) {
                ((BiFunction<String, Object, Object>) hook).apply("netty-accepted", socket);
            }
        }
    }

    /**
     * Netty's io_uring server channels' {@code newChildChannel(int fd, …)}, called once per connection its ring
     * accepted (the io_uring transport accepts in the kernel, never through {@code Socket.accept}): returning
     * without a throw is a connection; the hook counts it when the channel's socket is one the primary serves.
     */
    static final class UringAccept {
        private UringAccept() {
        }

        @Advice.OnMethodExit
        @SuppressWarnings("unchecked")
        static void exit(@Advice.This Object channel) {
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook != null) {
                ((BiFunction<String, Object, Object>) hook).apply("uring-accepted", channel);
            }
        }
    }

    /**
     * Netty's {@code Native.epollCtlMod(efd, fd, flags)} on epoll, for a server socket the agent swapped: the
     * kernel drops an epoll registration when its socket is closed, and the swap closed the application's socket.
     * Netty before 4.2.18 (and 4.1) adds a server channel's fd to epoll before it binds, so its first change of
     * interest fails with ENOENT and the server never accepts. Here that one failure adds the fd (the primary's
     * socket now) to the same epoll set with the same flags instead. Netty's types are reached through the woven
     * class itself: the agent's own Netty is relocated, the application's is not.
     */
    static final class EpollCtlMod {
        private EpollCtlMod() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        @SuppressWarnings("unchecked")
        static void exit(@Advice.Origin Class<?> nativeClass, @Advice.Argument(0) int efd, @Advice.Argument(1) int fd,
                         @Advice.Argument(2) int flags, @Advice.Thrown(readOnly = false) Throwable thrown) {
            if (thrown == null) {
                return;
            }
            Object hook = System.getProperties().get(BindHook.KEY);
            if (hook == null || !Boolean.TRUE.equals(((BiFunction<String, Object, Object>) hook).apply("swapped", fd))) {
                return;
            }
            try {
                nativeClass.getMethod("epollCtlAdd", int.class, int.class, int.class).invoke(null, efd, fd, flags);
                thrown = null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                thrown.addSuppressed(e);
            }
        }
    }
}
