package io.jcluster.primary;

import io.jcluster.internal.Fds;
import io.jcluster.balance.Balancer;
import io.jcluster.balance.Sticky;
import io.jcluster.cluster.Balance;
import io.jcluster.ipc.Message.ListenReply;
import io.jcluster.ipc.Message.ListenRequest;
import io.netty.channel.unix.FileDescriptor;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The RR policy: the primary accepts and hands each connection's fd to a worker with room, the one its
 * {@link Balance} picks (round-robin by default).
 *
 * <p>Accepted connections are never registered with an event loop here: {@link Bound} accepts plain fds,
 * which go into {@code pending}, then to a worker's {@link FdLink}. When no worker
 * has room the handle stops reading the listening socket, and the kernel backlog holds new connections
 * until an Ack makes room.
 */
final class RoundRobinHandle implements ListenHandle {
    private final Dispatcher dispatcher;
    private final String key;
    private final Balancer<FdLink> workers;
    private final boolean sticky;
    /** Hot spares listening here: out of rotation until promoted ({@link Spares}). */
    private final List<FdLink> spares = new ArrayList<>(0);
    private final ArrayDeque<FileDescriptor> pending = new ArrayDeque<>();
    private final List<FdLink> touched = new ArrayList<>();
    private final Bound bound;
    /** The size of {@code pending} last told to the dispatcher's {@link Handoffs}. */
    private int published;
    /** Closed: what waits is dropped. (The socket may close before, as the primary stops: what waits still goes.) */
    private boolean closed;

    RoundRobinHandle(Dispatcher dispatcher, String key, String host, int port, InetSocketAddress at) {
        this.dispatcher = dispatcher;
        this.key = key;
        this.workers = Balancer.of(dispatcher.balance);
        this.sticky = dispatcher.balance == Balance.STICKY;
        this.bound = new Bound(dispatcher, host, port, at, new Bound.Acceptor() {
            @Override
            public void accepted(int fd, byte[] peer) {
                pending.addLast(sticky ? new Accepted(fd, Sticky.clientKey(peer)) : new FileDescriptor(fd));
            }

            @Override
            public void acceptedAll() {
                drain();
            }
        });
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public Bound bound() {
        return bound;
    }

    @Override
    public void add(FdLink worker, ListenRequest request) {
        bound.whenBound(request, worker, addr -> {
            if (worker.worker.isSpare()) {
                spares.add(worker);
            } else {
                workers.add(worker);
            }
            dispatcher.reply(worker.worker, ListenReply.ok(request.requestId(), addr.getAddress().getHostAddress(),
                    addr.getPort(), false));
            drain();
        }, () -> dispatcher.forget(this));
    }

    @Override
    public boolean drop(FdLink worker) {
        return workers.remove(worker) | spares.remove(worker);
    }

    @Override
    public boolean noWorkers() {
        return workers.isEmpty() && spares.isEmpty();
    }

    /** A spare listening here goes into rotation, and takes its share of what waits. */
    void promote(FdLink spare) {
        if (spares.remove(spare)) {
            workers.add(spare);
            drain();
        }
    }

    @Override
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** A connection returns from a worker that refused it or died: it goes first to the next worker. */
    void giveBack(FileDescriptor fd) {
        if (closed) {
            Fds.closeQuietly(fd);
            return;
        }
        pending.addFirst(fd);
        publish();
        dispatcher.starving(this);
    }

    /** Hands pending connections to workers with room; pauses accepting when none has. */
    void drain() {
        FileDescriptor fd;
        int handed = 0;
        while ((fd = pending.peekFirst()) != null) {
            FdLink w = workers.pick(fd instanceof Accepted a ? a.client : 0L);
            if (w == null) {
                break;
            }
            pending.pollFirst();
            w.send(fd, this);
            handed++;
            if (!touched.contains(w)) {
                touched.add(w);
            }
        }
        for (int i = 0; i < touched.size(); i++) {
            touched.get(i).flush();
        }
        touched.clear();
        if (handed > 0) {
            dispatcher.handoffs.handed(handed);
        }
        publish();
        boolean full = !pending.isEmpty();
        bound.pauseAccepting(full);
        if (full) {
            dispatcher.starving(this);
        }
    }

    private void publish() {
        int n = pending.size();
        dispatcher.handoffs.pending(n - published);
        published = n;
    }

    /** The primary is stopping: the kernel's accept queue is taken, the socket closed, and what it held handed on. */
    void acceptQueuedThenClose() {
        bound.acceptQueuedThenClose();
        drain();
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    @Override
    public void close() {
        closed = true;
        bound.close();
        FileDescriptor fd;
        while ((fd = pending.pollFirst()) != null) {
            Fds.closeQuietly(fd);
        }
        publish();
        dispatcher.forget(this);
    }
}
