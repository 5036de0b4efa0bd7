package io.jcluster.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.cluster.Worker;
import io.jcluster.cluster.WorkerState;
import io.jcluster.internal.AliveLock;
import io.jcluster.internal.Exit;
import io.jcluster.internal.FdBatch;
import io.jcluster.ipc.Codec;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Ack;
import io.jcluster.ipc.Message.Disconnect;
import io.jcluster.ipc.Message.Disconnecting;
import io.jcluster.ipc.Message.Hello;
import io.jcluster.ipc.Message.ListenReply;
import io.jcluster.ipc.Message.Ping;
import io.jcluster.ipc.Message.Pong;
import io.jcluster.ipc.Message.Listening;
import io.jcluster.ipc.Message.Refuse;
import io.jcluster.ipc.Message.UserMessage;
import io.jcluster.ipc.Message.Welcome;
import io.jcluster.net.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * <p>Here: connecting the links, the control frames, the worker's lifecycle (one {@link WorkerState}, moved in
 * {@link #to}) and how it stops. What the JVM process does for the worker (signals, a main that throws, the drain
 * deadline) is {@link WorkerProcess}'. The listen table and the fds received are {@link Listens}' (the agent's
 * socket listens {@link SocketListens}'); the worker as user code sees it is {@link CurrentWorker}.
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
    private static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);
    private static final long CONNECT_TIMEOUT_SECONDS = 10;

    private static volatile WorkerRuntime current;
    /** Set by jcluster's agent before {@link #current()}: the runtime serves an unmodified application. */
    private static volatile boolean embedded;
    /** How long an embedded worker's shutdown hooks (the application's graceful stop) may run before it halts. */
    static final long EMBEDDED_EXIT_GRACE_MS = 120_000;

    private final int id = Integer.parseInt(System.getenv(ENV_ID));
    private final SchedulingPolicy policy = SchedulingPolicy.fromEnv(SchedulingPolicy.RR);
    private final EventLoopGroup group;
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jcluster-worker-events");
        t.setDaemon(true);
        return t;
    });
    private final CurrentWorker self = new CurrentWorker(this, id);
    private final CompletableFuture<Void> welcomed = new CompletableFuture<>();
    private final SocketListens socketListens = new SocketListens();
    /** Under least-connections, the closes of the connections this worker took, told to the primary. */
    private final CloseReports closes = new CloseReports(policy == SchedulingPolicy.RR
            && io.jcluster.cluster.Balance.fromEnv() == io.jcluster.cluster.Balance.LEAST_CONNECTIONS);
    private final Listens listens = new Listens(policy, () -> this.control, () -> this.state == WorkerState.DISCONNECTING,
            this::markListening, socketListens, closes);
    private volatile Channel control;
    private volatile Channel fds;          // the fd link through Netty, or
    private volatile FdReader fdReader;    // the batched one
    /** This worker's lifecycle, seen from inside; moved only by {@link #to}. DEAD is never seen from inside. */
    private volatile WorkerState state = WorkerState.SPAWNED;
    /** Set just before the disconnect listeners run: from then on {@code isConnected()} is false. */
    private volatile boolean disconnected;
    private boolean exiting;

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
                WorkerProcess.installSignals(created);
                WorkerProcess.exitWhenMainThrows();
                current = created;
            }
            return current;
        }
    }

    /** The runtime if this worker has one already; never connects. */
    static WorkerRuntime existing() {
        return current;
    }

    public EventLoopGroup group() {
        return group;
    }

    public Worker worker() {
        return self;
    }

    /** {@code Cluster.broadcast} in a worker: to every other worker through the primary; false if the link is down. */
    public boolean broadcast(Object message) {
        return self.broadcast(message);
    }

    /** Asks the primary to share host:port with this worker; {@code sink} serves what it hands over. */
    public CompletableFuture<InetSocketAddress> listen(String host, int port, ConnectionSink sink) {
        return listens.listen(host, port, sink);
    }

    /** A server of this worker closed: the primary hands it no more connections. */
    public void serverClosed(ConnectionSink sink) {
        listens.serverClosed(sink);
    }

    WorkerState state() {
        return state;
    }

    Channel control() {
        return control;
    }

    ExecutorService events() {
        return events;
    }

    boolean disconnected() {
        return disconnected;
    }

    private void connect() throws Exception {
        String path = System.getenv(ENV_IPC);
        String token = System.getenv(ENV_TOKEN);
        long pid = ProcessHandle.current().pid();
        holdAliveLock(Path.of(path));

        EpollDomainSocketChannel c = new EpollDomainSocketChannel();
        Codec.install(c.pipeline());
        c.pipeline().addLast(new ControlHandler());
        group.register(c).sync();
        c.connect(new DomainSocketAddress(path)).sync();
        control = c;
        c.writeAndFlush(new Hello(token, pid, Message.Link.CONTROL)).sync();

        if (FdBatch.AVAILABLE) {
            FdReader r = FdReader.connect(path, new Hello(token, pid, Message.Link.FDS_BATCHED),
                    (IoEventLoop) group.next(), listens::take, this::linkClosed, closes);
            r.register().sync();
            fdReader = r;
            closes.attach(r.loop(), r::send);
        } else {
            EpollDomainSocketChannel f = new EpollDomainSocketChannel();
            f.config().setOption(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS);
            Codec.installEncoder(f.pipeline());
            f.pipeline().addLast(new FdHandler(listens::take, this::linkClosed, closes));
            group.register(f).sync();
            closes.attach(f.eventLoop(), f::writeAndFlush);
            f.connect(new DomainSocketAddress(path)).sync();
            fds = f;
            f.writeAndFlush(new Hello(token, pid, Message.Link.FDS)).sync();
        }
        Listens.prepare(group);
        // The primary welcomes us once both links are authenticated, so a listen never precedes the fd link.
        welcomed.get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        StatsReporter.start(c);
    }

    /**
     * Takes the alive lock the primary made for this worker ({@link AliveLock}), before the links, which is when the
     * primary starts to watch it: the primary then sees this JVM's death as soon as its threads exit. Without it
     * (no library, an older primary) the primary sees it when the links end.
     */
    private static void holdAliveLock(Path socket) {
        Path file = AliveLock.of(socket);
        if (!AliveLock.AVAILABLE || !Files.exists(file)) {
            return;
        }
        try {
            AliveLock.hold(file);
        } catch (IOException e) {
            log.warn("{}; the primary will see this worker's death when its links end", e.getMessage());
        }
    }

    /** Whether this worker runs an unmodified application with jcluster's agent ({@link #embedded()}). */
    public static boolean isEmbedded() {
        return embedded;
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
        return socketListens.request(control, listens.nextRequestId(), host, port);
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
        // Written before the application's bind returns (this is its thread, never our loop): an application may
        // exit right after binding, and the primary must see it listened before it sees it exit.
        if (c != null && c.isActive()
                && !c.writeAndFlush(new Listening(socket.host(), socket.port())).awaitUninterruptibly(1000)) {
            log.warn("worker {}: could not tell the primary within 1 s that it listens on {}:{}", id, socket.host(),
                    socket.port());
        }
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
        WorkerProcess.exitAtDrainDeadline(id, why.status);
        List<CompletableFuture<Void>> closing = listens.closeAll();
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
            if (err != null) {
                log.warn("closing servers failed", err);
            }
            events.execute(() -> {
                synchronized (this) {
                    disconnected = true;
                }
                self.failRequests("is not connected any more (this worker disconnected)");
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
        self.failRequests("went away");
        events.execute(() -> self.disconnectListeners.fire(Runnable::run));
        Exit.now(0, 900);
    }

    private final class ControlHandler extends SimpleChannelInboundHandler<Message> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
            if (msg instanceof Welcome) {
                to(WorkerState.ONLINE);
                welcomed.complete(null);
            } else if (msg instanceof ListenReply r) {
                if (!socketListens.onReply(r)) {
                    listens.onListenReply(r);
                }
            } else if (msg instanceof UserMessage u) {
                events.execute(() -> {
                    JsonNode node;
                    try {
                        node = Json.read(u.json());
                    } catch (IOException e) {
                        log.warn("dropped a malformed message from the primary: {}", e.getMessage());
                        return;
                    }
                    self.deliver(node);
                });
            } else if (msg instanceof Message.Request r) {
                events.execute(() -> self.answer(r));
            } else if (msg instanceof Message.Reply r) {
                self.replyArrived(r);
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
}
