package io.jcluster.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.ListenException;
import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.cluster.Worker;
import io.jcluster.cluster.WorkerState;
import io.jcluster.cluster.WorkerStats;
import io.jcluster.internal.Exit;
import io.jcluster.internal.FdBatch;
import io.jcluster.internal.WorkerBase;
import io.jcluster.ipc.Codec;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Ack;
import io.jcluster.ipc.Message.Disconnect;
import io.jcluster.ipc.Message.Disconnecting;
import io.jcluster.ipc.Message.Hello;
import io.jcluster.ipc.Message.ListenReply;
import io.jcluster.ipc.Message.ListenRequest;
import io.jcluster.ipc.Message.Ping;
import io.jcluster.ipc.Message.Pong;
import io.jcluster.ipc.Message.Listening;
import io.jcluster.ipc.Message.Refuse;
import io.jcluster.ipc.Message.ServerClosed;
import io.jcluster.ipc.Message.UserMessage;
import io.jcluster.ipc.Message.Welcome;
import io.jcluster.net.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: the worker side of a cluster. It exists in a JVM the primary spawned (the environment holds the
 * IPC socket path and a one-time token), connects two links to the primary, and serves {@code listen} for
 * every {@link io.jcluster.cluster.NetServer} in this JVM.
 *
 * <p>Links: the control link carries frames both ways. On the fd link the primary sends only file
 * descriptors (SCM_RIGHTS), several per message where {@link FdBatch} is available ({@link FdReader}), else one
 * per message through Netty; the worker answers with {@link Ack} and {@link Refuse} frames, batched per read.
 *
 * <p>File descriptors received: under RR each is a connection; it is owned by the {@link ConnectionSink}
 * serving its local port once {@code adopt} returns true, else closed here (the primary still holds its own
 * copy and hands it to another worker). Under NONE each is a listening socket, owned by the sink whose listen
 * it answers. The primary closes its copy of a connection when it reads our Ack.
 *
 * <p>When the control link closes the primary is gone (even by kill -9): the worker exits within a second.
 */
public final class WorkerRuntime {
    public static final String ENV_IPC = "JCLUSTER_IPC";
    public static final String ENV_TOKEN = "JCLUSTER_TOKEN";
    public static final String ENV_ID = "JCLUSTER_WORKER_ID";
    public static final String ENV_THREADS = "JCLUSTER_WORKER_THREADS";
    /** How long a stopping worker lets its connections finish before it closes them and exits (ms). */
    public static final String ENV_DRAIN = "JCLUSTER_DRAIN_TIMEOUT_MS";
    /** Messages from the primary kept for the first message listener (Node's worker reads none before its main ran). */
    private static final int MAX_HELD_MESSAGES = 1024;
    private static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);
    private static final long CONNECT_TIMEOUT_SECONDS = 10;

    private static volatile WorkerRuntime current;
    /** Set by jcluster's agent before {@link #current()}: the runtime serves an unmodified application. */
    private static volatile boolean embedded;
    /** How long an embedded worker's shutdown hooks (the application's graceful stop) may run before it halts. */
    static final long EMBEDDED_EXIT_GRACE_MS = 120_000;
    static final long SOCKET_LISTEN_TIMEOUT_SECONDS = 60;

    private final int id = Integer.parseInt(System.getenv(ENV_ID));
    private final SchedulingPolicy policy = SchedulingPolicy.fromEnv(SchedulingPolicy.RR);
    private final EventLoopGroup group;
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jcluster-worker-events");
        t.setDaemon(true);
        return t;
    });
    private final Self self = new Self();
    private final AtomicInteger requestIds = new AtomicInteger();
    private final Map<Integer, PendingListen> pending = new ConcurrentHashMap<>();
    /** Servers by the local port they serve; only touched on the fd link's event loop after setup. */
    private final Map<Integer, Server> servers = new ConcurrentHashMap<>();
    /** NONE: listening sockets that arrived before their ListenReply, by port. Guarded by {@code this}. */
    private final Map<Integer, EpollServerSocketChannel> arrivedListeners = new HashMap<>();
    /** RR connections that came before the ListenReply for their port (guarded by this). */
    private final Map<Integer, List<EpollSocketChannel>> early = new HashMap<>();
    private final CompletableFuture<Void> welcomed = new CompletableFuture<>();
    private final SocketListens socketListens = new SocketListens();
    private volatile Channel control;
    private volatile Channel fds;          // the fd link through Netty, or
    private volatile FdReader fdReader;    // the batched one
    /** This worker's lifecycle, seen from inside; moved only by {@link #to}. DEAD is never seen from inside. */
    private volatile WorkerState state = WorkerState.SPAWNED;
    /** Set just before the disconnect listeners run: from then on {@code isConnected()} is false. */
    private volatile boolean disconnected;
    private boolean exiting;
    /** Events thread only: messages that came before the first message listener, and whether one exists. */
    private final java.util.ArrayDeque<JsonNode> heldMessages = new java.util.ArrayDeque<>();
    private boolean messageListener;

    /** Why a worker stops, and so how it tells the primary and with which status it exits. */
    enum Stop {
        /** The primary's disconnect: it knows; exit 0. */
        ASKED_BY_PRIMARY(0),
        /** The worker's own {@code disconnect()}: the primary is told (Node's exitedAfterDisconnect); exit 0. */
        OWN_DISCONNECT(0),
        /** SIGTERM: a graceful stop that ends as Node's worker would, dead by the signal (128 + 15). */
        SIGTERM(143);

        final int status;

        Stop(int status) {
            this.status = status;
        }
    }

    private record PendingListen(String host, int port, ConnectionSink sink, CompletableFuture<InetSocketAddress> future) { }

    private record Server(String host, int port, ConnectionSink sink) { }

    private WorkerRuntime() {
        Transport.requireEpoll();
        String threads = System.getenv(ENV_THREADS);
        // Embedded, the application's own threads decide when the JVM ends (an application that exits, exits).
        group = Transport.newGroup(threads == null || threads.isBlank() ? 1 : Integer.parseInt(threads.trim()),
                "jcluster-worker", embedded);
    }

    /** True when this JVM was started by a jcluster primary as a worker. */
    public static boolean inWorker() {
        return System.getenv(ENV_IPC) != null && System.getenv(ENV_TOKEN) != null && System.getenv(ENV_ID) != null;
    }

    /** The runtime of this worker, connected on first use; null outside a worker. */
    public static WorkerRuntime current() {
        WorkerRuntime r = current;
        if (r != null || !inWorker()) {
            return r;
        }
        synchronized (WorkerRuntime.class) {
            if (current == null) {
                WorkerRuntime created = new WorkerRuntime();
                try {
                    created.connect();
                } catch (Exception e) {
                    log.error("worker {} could not reach its primary at {}: {}; exiting", created.id,
                            System.getenv(ENV_IPC), e.toString());
                    Exit.now(1, 1000);
                    throw new IllegalStateException("could not reach the primary", e);
                }
                installSignals(created);
                exitWhenMainThrows();
                current = created;
            }
            return current;
        }
    }

    public EventLoopGroup group() {
        return group;
    }

    public Worker worker() {
        return self;
    }

    private void connect() throws Exception {
        String path = System.getenv(ENV_IPC);
        String token = System.getenv(ENV_TOKEN);
        long pid = ProcessHandle.current().pid();

        EpollDomainSocketChannel c = new EpollDomainSocketChannel();
        Codec.install(c.pipeline());
        c.pipeline().addLast(new ControlHandler());
        group.register(c).sync();
        c.connect(new DomainSocketAddress(path)).sync();
        control = c;
        c.writeAndFlush(new Hello(token, pid, Message.Link.CONTROL)).sync();

        if (FdBatch.AVAILABLE) {
            FdReader r = FdReader.connect(path, new Hello(token, pid, Message.Link.FDS_BATCHED),
                    (IoEventLoop) group.next(), this::take, this::linkClosed);
            r.register().sync();
            fdReader = r;
        } else {
            EpollDomainSocketChannel f = new EpollDomainSocketChannel();
            f.config().setOption(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS);
            Codec.installEncoder(f.pipeline());
            f.pipeline().addLast(new FdHandler());
            group.register(f).sync();
            f.connect(new DomainSocketAddress(path)).sync();
            fds = f;
            f.writeAndFlush(new Hello(token, pid, Message.Link.FDS)).sync();
        }
        // The primary welcomes us once both links are authenticated, so a listen never precedes the fd link.
        welcomed.get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Asks the primary to share host:port with this worker. */
    public CompletableFuture<InetSocketAddress> listen(String host, int port, ConnectionSink sink) {
        CompletableFuture<InetSocketAddress> future = new CompletableFuture<>();
        if (state == WorkerState.DISCONNECTING) {
            future.completeExceptionally(new ListenException(host, port, "EINVAL", "the worker is disconnecting"));
            return future;
        }
        int requestId = requestIds.incrementAndGet();
        pending.put(requestId, new PendingListen(host, port, sink, future));
        control.writeAndFlush(new ListenRequest(requestId, host, port)).addListener(f -> {
            if (!f.isSuccess() && pending.remove(requestId) != null) {
                future.completeExceptionally(ListenException.of(host, port, f.cause()));
            }
        });
        return future;
    }

    /**
     * For jcluster's agent: marks this JVM's runtime as serving an unmodified application. Call before the
     * first {@link #current()}. Its threads are then daemons, and a disconnect lets the application's shutdown
     * hooks run (its graceful stop) for up to {@value #EMBEDDED_EXIT_GRACE_MS} ms; the primary's drain
     * deadline still bounds it.
     */
    public static void embedded() {
        embedded = true;
    }

    /**
     * For an unmodified server's bind (jcluster's agent): the listening socket of host:port, which the primary
     * binds once and passes to every worker that asks, whatever the cluster's policy (the NONE path). Blocks the
     * calling thread until the primary answers; never call it on one of this runtime's event loops.
     *
     * @param host "" for every interface, else an IP literal
     * @return the received socket; its fd is the caller's to own (dup2 it over the server's, or close it)
     * @throws BindException when the primary cannot bind it (port in use, permission denied, …), worded as
     *         the JDK words it, so the application's own error path runs
     */
    public ListeningSocket listenSocket(String host, int port) throws BindException {
        for (io.netty.util.concurrent.EventExecutor e : group) {
            if (e.inEventLoop()) {
                throw new IllegalStateException("listenSocket blocks: it must not run on jcluster's event loop");
            }
        }
        if (state == WorkerState.DISCONNECTING) {
            throw new BindException("the jcluster worker is disconnecting");
        }
        int requestId = requestIds.incrementAndGet();
        CompletableFuture<ListeningSocket> granted = socketListens.add(requestId, host, port);
        control.writeAndFlush(new ListenRequest(requestId, host, port, Message.ListenMode.SOCKET)).addListener(f -> {
            if (!f.isSuccess()) {
                socketListens.failed(requestId, f.cause());
            }
        });
        try {
            return granted.get(SOCKET_LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof BindException b) {
                throw b;
            }
            throw (BindException) new BindException("jcluster: could not ask the primary for " + host + ":" + port
                    + ": " + e.getCause()).initCause(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            granted.cancel(false);
            throw new BindException("jcluster: the primary did not answer a listen on " + host + ":" + port + " within "
                    + SOCKET_LISTEN_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            granted.cancel(false);
            throw new BindException("interrupted while the primary binds " + host + ":" + port);
        }
    }

    /**
     * The server of a {@link #listenSocket} now holds the socket (jcluster's agent calls this right after its
     * dup2, before the server's own listen and accept loop, which follow in the same bind call): the primary
     * counts this worker as listening, which is the CLI's readiness. Connections that come before the
     * server accepts wait in the shared socket's backlog.
     */
    public void socketListening(ListeningSocket socket) {
        markListening(new InetSocketAddress(socket.host(), socket.port()));
        Channel c = control;
        if (c != null && c.isActive()) {
            c.writeAndFlush(new Listening(socket.host(), socket.port()));
        }
    }

    /** A server of this worker closed: the primary hands it no more connections. */
    public void serverClosed(ConnectionSink sink) {
        for (Map.Entry<Integer, Server> e : servers.entrySet()) {
            Server s = e.getValue();
            if (s.sink() == sink) {
                servers.remove(e.getKey(), s);
                Channel c = control;
                if (c != null && c.isActive()) {
                    c.writeAndFlush(new ServerClosed(s.host(), s.port()));
                }
            }
        }
    }

    private void onListenReply(ListenReply reply) {
        if (socketListens.onReply(reply)) {
            return;
        }
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
        markListening(bound);
        p.future().complete(bound);
        control.writeAndFlush(new Listening(bound.getHostString(), bound.getPort()));
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

    /** The one place this worker's state moves; an illegal move throws. */
    private synchronized void to(WorkerState next) {
        state = state.to(next);
    }

    /**
     * Closes every server and lets its connections finish, then exits with the status {@code why} gives. At the
     * drain deadline ({@value #ENV_DRAIN}, the primary's shutdown timeout) it exits all the same: a graceful stop
     * never leaves a worker running (an idle raw TCP connection would otherwise hold it forever).
     */
    void stop(Stop why) {
        synchronized (this) {
            if (state == WorkerState.DISCONNECTING) {
                return;
            }
            to(WorkerState.DISCONNECTING);
        }
        if (why != Stop.ASKED_BY_PRIMARY && control.isActive()) {
            control.writeAndFlush(why == Stop.SIGTERM ? new Message.Stopping() : new Disconnecting());
        }
        long drainMillis = drainMillis();
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(drainMillis);
            } catch (InterruptedException e) {
                return; // only the JVM's exit interrupts it
            }
            log.warn("worker {}: connections still open {} ms after the stop began; closing them and exiting",
                    id, drainMillis);
            Exit.now(why.status, 1000);
        }, "jcluster-drain-deadline");
        deadline.setDaemon(true);
        deadline.start();
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Server s : servers.values()) {
            closing.add(s.sink().close());
        }
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
            if (err != null) {
                log.warn("closing servers failed", err);
            }
            events.execute(() -> {
                synchronized (this) {
                    disconnected = true;
                }
                self.disconnectListeners.fire(Runnable::run);
                control.close();
                if (fds != null) {
                    fds.close();
                }
                if (fdReader != null) {
                    fdReader.closeLater();
                }
                Exit.now(why.status, embedded ? EMBEDDED_EXIT_GRACE_MS : 1000);
            });
        });
    }

    private static long drainMillis() {
        String v = System.getenv(ENV_DRAIN);
        try {
            return v == null || v.isBlank() ? 10_000 : Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            log.warn("{}={} is not a number of milliseconds; draining at most 10000 ms", ENV_DRAIN, v);
            return 10_000;
        }
    }

    /**
     * Tells the primary why this worker cannot boot, before it exits: it reaches the primary as data
     * ({@code Cluster.onBootFailure}), not as a line of output to parse. Waits at most a second for the write.
     */
    public void bootFailed(io.jcluster.cluster.BootFailure.Cause cause, String detail) {
        Channel c = control;
        if (c == null || !c.isActive()) {
            return;
        }
        String d = detail == null ? "" : detail.length() > 4000 ? detail.substring(0, 4000) + "…" : detail;
        if (!c.writeAndFlush(new Message.BootFailed(cause.name(), d)).awaitUninterruptibly(1000)) {
            log.warn("worker {}: could not tell the primary why it cannot boot ({}) within 1 s", id, cause);
        }
    }

    /** A server of this worker listens: the first one moves it to LISTENING. */
    private void markListening(InetSocketAddress bound) {
        synchronized (this) {
            if (state == WorkerState.ONLINE) {
                to(WorkerState.LISTENING);
            }
        }
        self.firstListen.complete(bound);
    }

    /** Events thread: a message from the primary goes to the listeners, or waits for the first one. */
    private void deliver(JsonNode node) {
        if (messageListener) {
            self.messageListeners.fire(l -> l.accept(node));
            return;
        }
        if (heldMessages.size() == MAX_HELD_MESSAGES) {
            log.warn("worker {}: {} messages wait for a message listener; dropping the oldest", id, MAX_HELD_MESSAGES);
            heldMessages.poll();
        }
        heldMessages.add(node);
    }

    /** Events thread: the first message listener exists; what waited for it is delivered. */
    private void releaseHeldMessages() {
        messageListener = true;
        for (JsonNode node; (node = heldMessages.poll()) != null; ) {
            JsonNode n = node;
            self.messageListeners.fire(l -> l.accept(n));
        }
    }

    /** A link closed. Unless we closed it ourselves after a disconnect, the primary is gone: exit now. */
    private void linkClosed() {
        synchronized (this) {
            if (exiting) {
                return;
            }
            exiting = true;
            if (disconnected) {
                return; // disconnect() closed the links and is exiting already
            }
        }
        log.info("worker {}: the primary went away; exiting", id);
        disconnected = true;
        events.execute(() -> self.disconnectListeners.fire(Runnable::run));
        Exit.now(0, 900);
    }

    /**
     * As in Node, an exception that escapes the program's main ends the worker (status 1), so the primary sees
     * a failed boot; otherwise the runtime's threads would keep a worker with a dead main alive forever.
     */
    private static void exitWhenMainThrows() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (previous != null) {
                previous.uncaughtException(t, e);
            } else {
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                e.printStackTrace();
            }
            if ("main".equals(t.getName())) {
                WorkerRuntime r = current;
                if (r != null && r.state != WorkerState.LISTENING) {
                    r.bootFailed(io.jcluster.cluster.BootFailure.Cause.MAIN_THREW, e.toString());
                }
                Exit.now(1, 1000);
            }
        });
    }

    private static void installSignals(WorkerRuntime r) {
        try {
            // Ctrl-C reaches the whole process group: the primary drains the workers, so they ignore it.
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> { });
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> r.stop(Stop.SIGTERM));
        } catch (IllegalArgumentException e) {
            log.warn("could not install signal handlers: {}", e.getMessage());
        }
    }

    private final class ControlHandler extends SimpleChannelInboundHandler<Message> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
            if (msg instanceof Welcome) {
                to(WorkerState.ONLINE);
                welcomed.complete(null);
            } else if (msg instanceof ListenReply r) {
                onListenReply(r);
            } else if (msg instanceof UserMessage u) {
                events.execute(() -> {
                    JsonNode node;
                    try {
                        node = Json.read(u.json());
                    } catch (IOException e) {
                        log.warn("dropped a malformed message from the primary: {}", e.getMessage());
                        return;
                    }
                    deliver(node);
                });
            } else if (msg instanceof Disconnect) {
                stop(Stop.ASKED_BY_PRIMARY);
            } else if (msg instanceof Ping p) {
                ctx.writeAndFlush(new Pong(p.seq(), Counters.connections(), Counters.requests()));
            } else {
                log.warn("unexpected message from the primary: {}", msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            welcomed.completeExceptionally(new IOException("the primary closed the link"));
            linkClosed();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.error("IPC link to the primary failed; exiting", cause);
            ctx.close();
        }
    }

    /**
     * One fd from the primary: under NONE a listening socket (no answer), under RR a connection, true when a
     * server of ours took it (Ack), false when the primary must give it to another worker (Refuse). Answers go
     * out at once on purpose: a connection this worker adopted but had not acknowledged when it died is handed
     * to another worker, so the ack must not wait (coalescing acks over 1 ms was tried: it let connections
     * that were already answered be handed on).
     */
    private Boolean take(FileDescriptor fd) {
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
            closeQuietly(fd);
            return true; // nothing left to give back: the primary's copy is closed on ack
        }
        InetSocketAddress local = ch.localAddress();
        if (local != null && state != WorkerState.DISCONNECTING) {
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
     * the worker); false when it declined, and {@code ch} is still ours.
     */
    private boolean adopt(Server s, EpollSocketChannel ch) {
        ch.pipeline().addFirst(ShutdownOnClose.INSTANCE);
        try {
            if (s.sink().adopt(ch)) {
                return true;
            }
        } catch (RuntimeException e) {
            log.warn("server on port {} could not adopt a connection: {}", s.port(), e.toString());
            ch.unsafe().closeForcibly();
            return true;
        }
        ch.pipeline().remove(ShutdownOnClose.INSTANCE);
        return false;
    }

    /** The fd link through Netty, one fd per message (where {@link FdBatch} is not available). */
    private final class FdHandler extends ChannelInboundHandlerAdapter {
        private final AckRuns runs = new AckRuns();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Boolean taken = take((FileDescriptor) msg);
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
            linkClosed();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.error("fd link to the primary failed", cause);
            ctx.close();
        }
    }

    /**
     * First in the pipeline of every connection this worker adopted. The primary holds another reference to
     * the same socket until it reads our Ack, so closing our fd alone would not end the connection: the peer
     * would see the FIN only after that round trip and would often close first, leaving its side in TIME_WAIT
     * (a client then pays for that in connect). Closing shuts the socket down at once instead, as closing the
     * last fd does in a single process. (Closes Netty makes itself after the peer has gone skip the pipeline,
     * and need no FIN from us first.)
     */
    @ChannelHandler.Sharable
    static final class ShutdownOnClose extends ChannelOutboundHandlerAdapter {
        static final ShutdownOnClose INSTANCE = new ShutdownOnClose();

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

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException e) {
            log.warn("could not close fd {}: {}", fd.intValue(), e.toString());
        }
    }

    /** The current worker, as seen from inside it. */
    private final class Self extends WorkerBase {
        private final int slot = envInt(ENV_SLOT, 0);
        private final int generation = envInt(ENV_GENERATION, 1);
        private final CompletableFuture<InetSocketAddress> firstListen = new CompletableFuture<>();

        @Override
        public int slot() {
            return slot;
        }

        @Override
        public int generation() {
            return generation;
        }

        @Override
        public CompletableFuture<Void> online() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<InetSocketAddress> listening() {
            return firstListen;
        }

        @Override
        public CompletableFuture<io.jcluster.cluster.ExitStatus> exited() {
            return new CompletableFuture<>(); // a worker does not see its own exit
        }

        @Override
        public CompletableFuture<io.jcluster.cluster.ExitStatus> retire(java.time.Duration drain) {
            throw new UnsupportedOperationException("retire() is for the primary; a worker calls disconnect()");
        }

        @Override
        public void cancelRestarts() {
            throw new UnsupportedOperationException("cancelRestarts() is for the primary");
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public WorkerState state() {
            return state;
        }

        @Override
        public boolean send(Object message, java.util.function.Consumer<Throwable> done) {
            return send(control, message, done, events);
        }

        /** Messages that came before the first listener go to it, in order. */
        @Override
        public Worker onMessage(java.util.function.Consumer<JsonNode> listener) {
            super.onMessage(listener);
            events.execute(WorkerRuntime.this::releaseHeldMessages);
            return this;
        }

        @Override
        public void disconnect() {
            stop(Stop.OWN_DISCONNECT);
        }

        @Override
        public void kill(String signal) {
            signal(pid(), signal);
        }

        @Override
        public boolean isDead() {
            return false;
        }

        @Override
        public java.util.Map<String, String> forkEnv() {
            return java.util.Map.of();
        }

        @Override
        public WorkerStats stats() {
            return new WorkerStats(Counters.connections(), Counters.requests(), null);
        }

        @Override
        public boolean isConnected() {
            Channel c = control;
            return !disconnected && c != null && c.isActive();
        }

        @Override
        public boolean exitedAfterDisconnect() {
            return state == WorkerState.DISCONNECTING;
        }
    }
}
