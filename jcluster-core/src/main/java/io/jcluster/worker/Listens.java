package io.jcluster.worker;

import io.jcluster.internal.Fds;
import io.jcluster.cluster.ListenException;
import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.ipc.Message.ListenReply;
import io.jcluster.ipc.Message.ListenRequest;
import io.jcluster.ipc.Message.Listening;
import io.jcluster.ipc.Message.ServerClosed;
import io.jcluster.ipc.Codec;
import io.jcluster.ipc.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's listen table and the intake of what the primary hands it: each {@code listen} of a server in this
 * JVM becomes a request to the primary, and its reply a server by local port; each fd from the fd link is a
 * connection for one of those servers (RR) or a listening socket to accept on (NONE), or a socket for
 * {@link SocketListens} (jcluster's agent).
 *
 * <p>File descriptors received: under RR each is a connection; it is owned by the {@link ConnectionSink}
 * serving its local port once {@code adopt} returns true, else closed here (the primary still holds its own
 * copy and hands it to another worker). Under NONE each is a listening socket, owned by the sink whose listen
 * it answers. The primary closes its copy of a connection when it reads our Ack.
 */
final class Listens {
    private static final Logger log = LoggerFactory.getLogger(Listens.class);
    /** Loaded with this class, at the worker's start: not by its first connection (a promoted spare's, say). */
    private static final ShutdownOnClose SHUTDOWN_ON_CLOSE = ShutdownOnClose.INSTANCE;

    private final SchedulingPolicy policy;
    private final Supplier<Channel> control;
    private final BooleanSupplier stopping;
    private final Consumer<InetSocketAddress> onListening;
    private final SocketListens socketListens;
    /** Counts the end of every connection this worker acknowledged (under least-connections). */
    private final CloseReports closes;
    private final AtomicInteger requestIds = new AtomicInteger();
    private final Map<Integer, PendingListen> pending = new ConcurrentHashMap<>();
    /** Servers by the local port they serve; only touched on the fd link's event loop after setup. */
    private final Map<Integer, Server> servers = new ConcurrentHashMap<>();
    /** NONE: listening sockets that arrived before their ListenReply, by port. Guarded by {@code this}. */
    private final Map<Integer, EpollServerSocketChannel> arrivedListeners = new HashMap<>();
    /** RR connections that came before the ListenReply for their port (guarded by this). */
    private final Map<Integer, List<EpollSocketChannel>> early = new HashMap<>();

    private record PendingListen(String host, int port, ConnectionSink sink, CompletableFuture<InetSocketAddress> future) { }

    private record Server(String host, int port, ConnectionSink sink) { }

    /**
     * @param stopping    true once the worker stops: no new listen, no new connection
     * @param onListening a server of this worker listens (before its listen future completes)
     */
    Listens(SchedulingPolicy policy, Supplier<Channel> control, BooleanSupplier stopping,
            Consumer<InetSocketAddress> onListening, SocketListens socketListens, CloseReports closes) {
        this.closes = closes;
        this.policy = policy;
        this.control = control;
        this.stopping = stopping;
        this.onListening = onListening;
        this.socketListens = socketListens;
    }

    /**
     * Does on each of {@code group}'s loops, once, what a handed connection's intake would do there first: Netty's
     * mask of {@link ShutdownOnClose}, which it computes by reflection once per thread when the handler is first
     * added, and the first Ack's class and encoding. A promoted hot spare otherwise did both in its first
     * connection (2-3 ms of interpreted reflection on a 2-core host, while its clients waited).
     */
    static void prepare(EventLoopGroup group) {
        for (EventExecutor loop : group) {
            loop.execute(() -> {
                EmbeddedChannel ch = new EmbeddedChannel();
                ch.pipeline().addFirst(SHUTDOWN_ON_CLOSE).remove(SHUTDOWN_ON_CLOSE);
                ch.close();
                ByteBuf frame = Unpooled.buffer();
                try {
                    Codec.writeFrame(new Message.Ack(1), frame);
                } finally {
                    frame.release();
                }
            });
        }
    }

    int nextRequestId() {
        return requestIds.incrementAndGet();
    }

    /** Closes every server; each future completes when that server's connections have ended. */
    List<CompletableFuture<Void>> closeAll() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Server s : servers.values()) {
            closing.add(s.sink().close());
        }
        return closing;
    }

    /** Asks the primary to share host:port with this worker. */
    CompletableFuture<InetSocketAddress> listen(String host, int port, ConnectionSink sink) {
        CompletableFuture<InetSocketAddress> future = new CompletableFuture<>();
        if (stopping.getAsBoolean()) {
            future.completeExceptionally(new ListenException(host, port, "EINVAL", "the worker is disconnecting"));
            return future;
        }
        int requestId = requestIds.incrementAndGet();
        pending.put(requestId, new PendingListen(host, port, sink, future));
        control.get().writeAndFlush(new ListenRequest(requestId, host, port)).addListener(f -> {
            if (!f.isSuccess() && pending.remove(requestId) != null) {
                future.completeExceptionally(ListenException.of(host, port, f.cause()));
            }
        });
        return future;
    }

    /** A server of this worker closed: the primary hands it no more connections. */
    void serverClosed(ConnectionSink sink) {
        for (Map.Entry<Integer, Server> e : servers.entrySet()) {
            Server s = e.getValue();
            if (s.sink() == sink) {
                servers.remove(e.getKey(), s);
                Channel c = control.get();
                if (c != null && c.isActive()) {
                    c.writeAndFlush(new ServerClosed(s.host(), s.port()));
                }
            }
        }
    }

    void onListenReply(ListenReply reply) {
        // Still pending until its server is in place (below): take() parks connections for a pending listen.
        PendingListen p = pending.get(reply.requestId());
        if (p == null) {
            log.warn("listen reply for unknown request {}", reply.requestId());
            return;
        }
        if (!reply.ok()) {
            pending.remove(reply.requestId());
            p.future().completeExceptionally(new ListenException(p.host(), p.port(), reply.errorCode(), reply.errorDetail()));
            return;
        }
        InetSocketAddress bound = new InetSocketAddress(reply.host(), reply.port());
        Server server = new Server(p.host(), p.port(), p.sink());
        List<EpollSocketChannel> arrived;
        synchronized (this) {
            servers.put(reply.port(), server);
            pending.remove(reply.requestId());
            arrived = early.remove(reply.port());
        }
        if (arrived != null) {
            for (EpollSocketChannel ch : arrived) {
                if (!adopt(server, ch)) {
                    ch.unsafe().closeForcibly(); // acknowledged already: it cannot go back to the primary
                    closes.closed();
                }
            }
        }
        if (reply.fdFollows()) {
            EpollServerSocketChannel listener;
            synchronized (this) {
                listener = arrivedListeners.remove(reply.port());
                if (listener == null) {
                    pending.put(-reply.port() - 1, p); // parked until the listening socket arrives
                    return;
                }
            }
            p.sink().adoptListener(listener);
        }
        listening(p, bound);
    }

    private void listening(PendingListen p, InetSocketAddress bound) {
        onListening.accept(bound);
        p.future().complete(bound);
        control.get().writeAndFlush(new Listening(bound.getHostString(), bound.getPort()));
    }

    private void onListener(FileDescriptor fd) {
        EpollServerSocketChannel listener = new EpollServerSocketChannel(fd.intValue());
        int port = listener.localAddress().getPort();
        PendingListen p;
        synchronized (this) {
            p = pending.remove(-port - 1);
            if (p == null) {
                arrivedListeners.put(port, listener);
                return;
            }
        }
        p.sink().adoptListener(listener);
        listening(p, listener.localAddress());
    }

    /**
     * One fd from the primary: under NONE a listening socket (no answer), under RR a connection, true when a
     * server of ours took it (Ack), false when the primary must give it to another worker (Refuse). Answers go
     * out at once on purpose: a connection this worker adopted but had not acknowledged when it died is handed
     * to another worker, so the ack must not wait (coalescing acks over 1 ms was tried: it let connections
     * that were already answered be handed on).
     */
    Boolean take(FileDescriptor fd) {
        if (socketListens.waiting() && socketListens.offer(fd)) {
            return null; // a listening socket for listenSocket(): no answer, as under NONE
        }
        if (policy == SchedulingPolicy.NONE) {
            onListener(fd);
            return null;
        }
        EpollSocketChannel ch;
        try {
            ch = new EpollSocketChannel(fd.intValue());
        } catch (RuntimeException e) {
            log.warn("could not wrap a handed-over connection: {}", e.toString());
            Fds.closeQuietly(fd);
            closes.closed();
            return true; // nothing left to give back: the primary's copy is closed on ack
        }
        InetSocketAddress local = ch.localAddress();
        if (local != null && !stopping.getAsBoolean()) {
            Server s;
            synchronized (this) {
                s = servers.get(local.getPort());
                if (s == null && listenPending(local.getPort())) {
                    // The primary hands us connections only for a port it has answered: that answer is on its way
                    // on the control link, which another of our loops may read later than this one. Refused, the
                    // connection would take this worker out of the port; it waits for the answer instead, taken.
                    early.computeIfAbsent(local.getPort(), k -> new ArrayList<>()).add(ch);
                    return true;
                }
            }
            if (s != null && adopt(s, ch)) {
                return true;
            }
        }
        ch.unsafe().closeForcibly(); // our copy; the primary gives its own to another worker
        return false;
    }

    /** Whether a listen request that could cover {@code port} (that port, or any) waits for its reply. */
    private boolean listenPending(int port) {
        for (Map.Entry<Integer, PendingListen> e : pending.entrySet()) {
            if (e.getKey() > 0 && (e.getValue().port() == port || e.getValue().port() == 0)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Gives {@code ch} to the server: true when it took it, or failed trying (that one connection is lost, not
     * the worker); false when it declined, and {@code ch} is still ours. A taken one's end is counted
     * ({@link CloseReports}).
     */
    private boolean adopt(Server s, EpollSocketChannel ch) {
        ch.pipeline().addFirst(SHUTDOWN_ON_CLOSE);
        try {
            if (s.sink().adopt(ch)) {
                closes.watch(ch);
                return true;
            }
        } catch (RuntimeException e) {
            log.warn("server on port {} could not adopt a connection: {}", s.port(), e.toString());
            ch.unsafe().closeForcibly();
            closes.closed();
            return true;
        }
        ch.pipeline().remove(SHUTDOWN_ON_CLOSE);
        return false;
    }

}
