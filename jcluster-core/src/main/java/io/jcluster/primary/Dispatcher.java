package io.jcluster.primary;

import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.ipc.Message.ListenMode;
import io.jcluster.ipc.Message.ListenReply;
import io.jcluster.ipc.Message.ListenRequest;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's data plane: the listen handles by key, and the hand-off of connections to workers' fd links.
 * Every method runs on the primary's single I/O loop, which owns all of this state; nothing here blocks.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final EventLoop loop;
    private final SchedulingPolicy policy;
    /** How an RR handle chooses the worker of each connection. */
    final io.jcluster.cluster.Balance balance;
    private final BooleanSupplier replacementExpected;
    private final java.util.function.BiConsumer<WorkerHandle, io.jcluster.cluster.ListenException> listenFailed;
    private final Map<String, ListenHandle> handles = new HashMap<>();
    private final Set<RoundRobinHandle> starving = new LinkedHashSet<>();
    final Handoffs handoffs = new Handoffs();
    private Executor resolver; // made on the first host name to listen on
    private boolean closed;

    Dispatcher(EventLoop loop, SchedulingPolicy policy, io.jcluster.cluster.Balance balance,
               BooleanSupplier replacementExpected,
               java.util.function.BiConsumer<WorkerHandle, io.jcluster.cluster.ListenException> listenFailed) {
        this.loop = loop;
        this.policy = policy;
        this.balance = balance;
        this.replacementExpected = replacementExpected;
        this.listenFailed = listenFailed;
    }

    EventLoop loop() {
        return loop;
    }

    boolean replacementExpected() {
        return replacementExpected.getAsBoolean();
    }

    static String key(String host, int port) {
        return host + ":" + port;
    }

    void listen(WorkerHandle worker, ListenRequest request) {
        FdLink link = worker.fdLink();
        if (link == null) {
            reply(worker, ListenReply.error(request.requestId(), request.host(), request.port(), "EIO",
                    "the worker's fd link is not up"));
            return;
        }
        if (link.hasLeft()) {
            reply(worker, ListenReply.error(request.requestId(), request.host(), request.port(), "ECANCELED",
                    "the worker is disconnecting"));
            return;
        }
        String host = request.host();
        String key = key(host, request.port());
        ListenHandle handle = handles.get(key);
        InetSocketAddress literal;
        if (handle != null) {
            join(handle, worker, link, request);
        } else if ((literal = literal(host, request.port())) != null) {
            open(key, host, request.port(), literal, request.mode()).add(link, request);
        } else {
            // A name (or a literal only the JDK parses, such as fe80::1%eth0): resolving it may block (DNS), so
            // it happens off the loop, and the listen goes on after.
            resolver().execute(() -> {
                InetSocketAddress at = new InetSocketAddress(host, request.port());
                try {
                    loop.execute(() -> {
                        if (closed || link.hasLeft()) {
                            return; // the primary is stopping, or the worker left or died meanwhile
                        }
                        ListenHandle h = handles.get(key);
                        if (h != null) {
                            join(h, worker, link, request);
                        } else {
                            open(key, host, request.port(), at, request.mode()).add(link, request);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    log.debug("listen on {} resolved after the primary's loop ended", key);
                }
            });
        }
    }

    /**
     * The address to bind for {@code host} when that needs no lookup: every interface for "", an IP literal;
     * null otherwise. (Netty parses no IPv6 literal with a named scope: that one is left to the resolver, never
     * taken as a null address, which would bind every interface.)
     */
    static InetSocketAddress literal(String host, int port) {
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        if (!NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
            return null;
        }
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(host);
        return address == null ? null : new InetSocketAddress(address, port);
    }

    /**
     * A request in {@link ListenMode#SOCKET} (an unmodified server under jcluster's agent) gets the listening
     * socket whatever the policy; one in {@link ListenMode#POLICY} gets what the policy serves.
     */
    private ListenHandle open(String key, String host, int port, InetSocketAddress at, ListenMode mode) {
        ListenHandle handle = policy == SchedulingPolicy.RR && mode == ListenMode.POLICY
                ? new RoundRobinHandle(this, key, host, port, at)
                : new SharedHandle(this, key, host, port, at, mode);
        handles.put(key, handle);
        return handle;
    }

    /**
     * Another worker asks for an address that has a handle: it joins it, unless it asks in the other mode.
     * One address cannot be both a jcluster server's and an unmodified server's: that is answered as the
     * kernel answers a second bind of a port, EADDRINUSE.
     */
    private void join(ListenHandle handle, WorkerHandle worker, FdLink link, ListenRequest request) {
        ListenMode has = handle instanceof SharedHandle s ? s.mode() : ListenMode.POLICY;
        if (has != request.mode()) {
            reply(worker, ListenReply.error(request.requestId(), request.host(), request.port(), "EADDRINUSE",
                    "Address already in use: " + key(request.host(), request.port()) + " is served "
                            + (has == ListenMode.SOCKET ? "to unmodified servers (their listening socket)"
                            : "to jcluster servers (" + policy + ")") + " and cannot also be served "
                            + (request.mode() == ListenMode.SOCKET ? "as a listening socket" : "to a jcluster server")));
            return;
        }
        handle.add(link, request);
    }

    /** One daemon thread, made on the first name to resolve and gone after 30 s without one. Loop only. */
    private Executor resolver() {
        if (resolver == null) {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "jcluster-resolver");
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true);
            resolver = pool;
        }
        return resolver;
    }

    /** A server in the worker closed: it takes no more connections for that address. */
    void serverClosed(WorkerHandle worker, String host, int port) {
        ListenHandle h = handles.get(key(host, port));
        FdLink link = worker.fdLink();
        if (h != null && link != null) {
            h.remove(link, false);
        }
    }

    /** {@link #promote} now when called on the loop (a death seen there), else as the loop's next task. */
    void promoteOnLoop(WorkerHandle worker) {
        if (loop.inEventLoop()) {
            promote(worker);
        } else {
            loop.execute(() -> promote(worker));
        }
    }

    /** A spare goes into rotation on every address it listens on ({@link Spares}). */
    void promote(WorkerHandle worker) {
        FdLink link = worker.fdLink();
        if (link == null || link.hasLeft()) {
            return; // not linked yet (its listens will join the rotation), or gone
        }
        for (ListenHandle h : new ArrayList<>(handles.values())) {
            if (h instanceof RoundRobinHandle rr) {
                rr.promote(link);
            }
        }
    }

    /** The worker leaves every handle: it is disconnecting ({@code died} false) or dead. */
    void leave(WorkerHandle worker, boolean died) {
        FdLink link = worker.fdLink();
        if (link == null) {
            return;
        }
        link.leave();
        for (ListenHandle h : new ArrayList<>(handles.values())) {
            h.remove(link, died);
        }
        if (died) {
            if (link.channel.isOpen()) {
                // The death was seen before the link's end (its alive lock, or its exit): the worker's last Acks
                // may still be unread on it. Its end, which the kernel queues once it has torn the process down,
                // reads them first, then gives back the rest; the close below only stands in for an end that never
                // comes (a child process holding the socket) or a teardown longer than the grace.
                link.channel.eventLoop().schedule(() -> link.channel.close(), LINK_END_GRACE_MS, TimeUnit.MILLISECONDS);
            } else {
                link.lost();
            }
        }
        kick();
    }

    /** How long a dead worker's fd link may stay open before the primary closes it. */
    static final long LINK_END_GRACE_MS = 1000;

    /** The worker took the next {@code n} connections and {@code closed} of its connections ended. */
    void ack(FdLink link, int n, int closed) {
        if (!link.ack(n)) {
            protocolError(link, "acknowledged " + n + " connections but had " + link.inFlight());
            return;
        }
        if (closed > 0) {
            link.closed(closed);
        }
        kick();
    }

    void refuse(FdLink link, int n) {
        if (!link.refuse(n)) {
            protocolError(link, "refused " + n + " connections but had " + link.inFlight());
            return;
        }
        kick();
    }

    private void protocolError(FdLink link, String what) {
        link.worker.dropForBadInput("worker " + link.worker.id() + " " + what);
    }

    void starving(RoundRobinHandle h) {
        starving.add(h);
    }

    /** Gives every handle with waiting connections another try (after room was made). */
    private void kick() {
        if (starving.isEmpty()) {
            return;
        }
        List<RoundRobinHandle> s = new ArrayList<>(starving);
        starving.clear();
        for (RoundRobinHandle h : s) {
            if (h.hasPending()) {
                h.drain();
            }
        }
    }

    void forget(ListenHandle h) {
        handles.remove(h.key(), h);
        if (h instanceof RoundRobinHandle rr) {
            starving.remove(rr);
        }
    }

    void reply(WorkerHandle worker, ListenReply reply) {
        if (!reply.ok()) {
            listenFailed.accept(worker, new io.jcluster.cluster.ListenException(reply.host(), reply.port(),
                    reply.errorCode(), reply.errorDetail()));
        }
        Channel c = worker.control();
        if (c != null) {
            c.writeAndFlush(reply);
        }
    }

    /**
     * The open listening sockets by the key a worker listened with, then the given ones no handle holds
     * ({@link ListenSockets}): what a new primary takes over.
     */
    Map<String, io.netty.channel.unix.Socket> sockets() {
        Map<String, io.netty.channel.unix.Socket> all = new java.util.LinkedHashMap<>();
        for (ListenHandle h : handles.values()) {
            io.netty.channel.unix.Socket s = h.bound().openSocket();
            if (s != null) {
                all.put(h.key(), s);
            }
        }
        ListenSockets.get().idle().forEach(all::putIfAbsent);
        return all;
    }

    /**
     * The primary handed its sockets to a new one: no more accepting here (the new primary takes what comes).
     * Connections accepted already still go to the workers; {@link #holdsPending()} tells while one waits.
     */
    void stopAccepting() {
        for (ListenHandle h : handles.values()) {
            h.bound().stopAccepting();
        }
    }

    /** True while a connection this primary accepted waits for a worker. */
    boolean holdsPending() {
        for (ListenHandle h : handles.values()) {
            if (h instanceof RoundRobinHandle rr && rr.hasPending()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The primary is stopping, its workers still serve: each RR socket's accept queue is taken and handed to them,
     * and the socket closed (see {@link Bound#acceptQueuedThenClose}); then, once no connection waits for a
     * worker or for its Ack ({@code inFlight}) or after {@code maxMs}, {@code then} runs. Without this the
     * connections the kernel had queued were reset when the last worker's leaving closed the socket.
     */
    void serveAcceptQueuesThenClose(BooleanSupplier inFlight, long maxMs, Runnable then) {
        for (ListenHandle h : new ArrayList<>(handles.values())) {
            if (h instanceof RoundRobinHandle rr) {
                rr.acceptQueuedThenClose();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
        Runnable check = new Runnable() {
            @Override
            public void run() {
                if ((holdsPending() || inFlight.getAsBoolean()) && System.nanoTime() < deadline) {
                    loop.schedule(this, HANDED_POLL_MS, TimeUnit.MILLISECONDS);
                } else {
                    then.run();
                }
            }
        };
        check.run();
    }

    static final long HANDED_POLL_MS = 2;

    /** Closes every listening socket (the primary is stopping). */
    void closeAll() {
        closed = true;
        if (resolver instanceof ThreadPoolExecutor pool) {
            pool.shutdownNow();
        }
        for (ListenHandle h : new ArrayList<>(handles.values())) {
            h.close();
        }
    }
}
