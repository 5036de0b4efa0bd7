package io.jcluster.agent;

import io.jcluster.internal.Sockets;
import io.jcluster.worker.Counters;
import io.jcluster.worker.ListeningSocket;
import io.jcluster.worker.WorkerRuntime;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.BiFunction;

/**
 * What the woven advice calls ({@link BindAdvice}): the verbs {@code enter} and {@code exit} mark the scope of
 * a server socket's bind on the calling thread; {@code jdk} and {@code netty} are a bind, served here when it
 * is inside such a scope and binds an IP address; {@code accepted}, {@code netty-accepted} (epoll) and
 * {@code uring-accepted} (io_uring) count a connection accepted on a socket served this way. Serving it: the
 * primary's listening socket for that address ({@link WorkerRuntime#listenSocket}), put in place of the
 * application's own socket with dup2 (same fd number, the application's close-on-exec flag and blocking mode),
 * then the primary is told the worker listens. The real bind is skipped; the application's own listen, selector and accept loop run on.
 *
 * <p>Answers: null (not ours: the real bind runs), {@link Boolean#TRUE} (served), or an {@link IOException}
 * for the advice to throw ({@link BindException} as the JDK would word it).
 *
 * <p>Fds: the received socket is ours until dup2 succeeds; then the application's fd refers to it and the
 * received one is closed (by {@link Sockets#replace}); if dup2 fails it is closed here.
 */
final class BindHook implements BiFunction<String, Object, Object> {
    /** The system property that holds the hook (a non-String value: it never shows in string-property views). */
    static final String KEY = "io.jcluster.agent.bind";

    private final WorkerRuntime runtime;
    private final Field fdField;
    private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
    /** The fds whose socket was swapped for the primary's: an epoll registration of theirs was lost with it. */
    private final java.util.Set<Integer> swapped = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** {@code fdField}: {@code java.io.FileDescriptor.fd}, made accessible (java.io opened to the agent). */
    BindHook(WorkerRuntime runtime, Field fdField) {
        this.runtime = runtime;
        this.fdField = fdField;
    }

    @Override
    public Object apply(String verb, Object args) {
        try {
            switch (verb) {
                case "enter":
                    depth.get()[0]++;
                    return null;
                case "exit":
                    depth.get()[0]--;
                    return null;
                case "jdk": {
                    if (depth.get()[0] <= 0) {
                        return null;
                    }
                    Object[] a = (Object[]) args;
                    return serve(fdField.getInt(a[0]), (InetAddress) a[1], (Integer) a[2]);
                }
                case "swapped":
                    return swapped.contains((Integer) args);
                case "accepted":
                    if (swapped.contains(fdField.getInt(args))) {
                        Counters.connectionAccepted();
                    }
                    return null;
                case "netty-accepted":
                    if (swapped.contains(nettyFd(args))) {
                        Counters.connectionAccepted();
                    }
                    return null;
                case "uring-accepted":
                    if (swapped.contains(nettyFd(CHANNEL_FD.get(args.getClass()).invoke(args)))) {
                        Counters.connectionAccepted();
                    }
                    return null;
                case "netty": {
                    if (depth.get()[0] <= 0) {
                        return null;
                    }
                    Object[] a = (Object[]) args;
                    if (!(a[1] instanceof InetSocketAddress isa) || isa.isUnresolved()) {
                        return null; // a domain socket, or a name Netty itself fails on
                    }
                    return serve(nettyFd(a[0]), isa.getAddress(), isa.getPort());
                }
                default:
                    return new IOException("jcluster agent: unknown hook verb " + verb);
            }
        } catch (IOException e) {
            return e;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new IOException("jcluster agent: could not serve a server socket's bind: " + e, e);
        }
    }

    private Object serve(int target, InetAddress address, int port) throws IOException {
        String host = address.isAnyLocalAddress() ? "" : address.getHostAddress();
        ListeningSocket s = runtime.listenSocket(host, port);
        int r = Sockets.replace(s.fd(), target);
        if (r < 0) {
            new FileDescriptor(s.fd()).close();
            throw new BindException("jcluster agent: could not put the primary's listening socket in place of fd "
                    + target + " (errno " + -r + ")");
        }
        swapped.add(target);
        runtime.socketListening(s);
        return Boolean.TRUE;
    }

    /** The fd of the application's Netty {@code io.netty.channel.unix.FileDescriptor} (its public {@code intValue()}). */
    private static int nettyFd(Object fileDescriptor) throws ReflectiveOperationException {
        return (Integer) INT_VALUE.get(fileDescriptor.getClass()).invoke(fileDescriptor);
    }

    /** {@code intValue()} of each Netty socket class, looked up once (the accept counters call it per connection). */
    private static final ClassValue<Method> INT_VALUE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            return method(type, "intValue");
        }
    };

    /**
     * {@code fd()} of each Netty io_uring server channel class, looked up once: declared public on a package-private
     * class ({@code AbstractIoUringChannel}), so made accessible (the application's Netty is not in a named module).
     */
    private static final ClassValue<Method> CHANNEL_FD = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            Method m = method(type, "fd");
            m.setAccessible(true);
            return m;
        }
    };

    private static Method method(Class<?> type, String name) {
        try {
            return type.getMethod(name);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type.getName() + " has no " + name + "()", e);
        }
    }
}
