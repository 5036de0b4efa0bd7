package io.jcluster.primary;

import io.jcluster.ipc.Message.ListenMode;
import io.jcluster.ipc.Message.ListenReply;
import io.jcluster.ipc.Message.ListenRequest;
import io.netty.channel.unix.FileDescriptor;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * The NONE policy: the primary binds the socket and hands the listening fd itself to each worker once; the
 * workers accept on it and the kernel spreads connections. The primary keeps its own copy for future workers
 * (it never reads it) and each worker owns the copy it received.
 */
final class SharedHandle implements ListenHandle {
    private final Dispatcher dispatcher;
    private final String key;
    private final Set<FdLink> workers = new HashSet<>();
    private final Bound bound;
    private final ListenMode mode;

    SharedHandle(Dispatcher dispatcher, String key, String host, int port, InetSocketAddress at) {
        this(dispatcher, key, host, port, at, ListenMode.POLICY);
    }

    /**
     * {@code mode} SOCKET: the workers are unmodified servers under jcluster's agent, whatever the cluster's
     * policy. The primary never accepts on this socket either, so the shared description's O_NONBLOCK flag
     * (which a worker's server may set either way) never matters here.
     */
    SharedHandle(Dispatcher dispatcher, String key, String host, int port, InetSocketAddress at, ListenMode mode) {
        this.dispatcher = dispatcher;
        this.key = key;
        this.mode = mode;
        this.bound = new Bound(dispatcher, host, port, at, null);
    }

    ListenMode mode() {
        return mode;
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
        if (worker.worker.isSpare()) {
            // A worker that accepts on the socket itself takes connections as soon as it has it: no spare here.
            dispatcher.reply(worker.worker, ListenReply.error(request.requestId(), request.host(), request.port(),
                    "ENOTSUP", "a hot spare cannot listen on " + key + ": " + (mode == ListenMode.SOCKET
                            ? "an unmodified server accepts on the listening socket itself"
                            : "under the NONE policy every worker accepts on the listening socket itself")
                            + ", so it cannot be kept out of rotation (spares need the RR policy and jcluster's API)"));
            return;
        }
        bound.whenBound(request, worker, addr -> {
            workers.add(worker);
            FileDescriptor fd = bound.fd();
            worker.channel.writeAndFlush(fd, worker.channel.voidPromise());
            dispatcher.reply(worker.worker, ListenReply.ok(request.requestId(), addr.getAddress().getHostAddress(),
                    addr.getPort(), true));
        }, () -> dispatcher.forget(this));
    }

    @Override
    public boolean drop(FdLink worker) {
        return workers.remove(worker);
    }

    @Override
    public boolean noWorkers() {
        return workers.isEmpty();
    }

    @Override
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    @Override
    public void close() {
        bound.close();
        dispatcher.forget(this);
    }
}
