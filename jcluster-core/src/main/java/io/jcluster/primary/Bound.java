package io.jcluster.primary;

import io.jcluster.internal.Fds;
import io.jcluster.cluster.ListenException;
import io.jcluster.ipc.Message.ListenReply;
import io.jcluster.ipc.Message.ListenRequest;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket of a handle, bound on the primary's I/O loop when the first worker asks; a bind error
 * is answered to each request as data (an errno-like code), never thrown.
 *
 * <p>With an {@link Acceptor} (the RR policy) the socket is registered with the loop as a bare epoll handle,
 * not as a Netty server channel: a channel would build a child channel per connection (an object graph and
 * four syscalls) only for the primary to take its fd and drop it. Here a ready socket yields plain fds.
 * Without one (NONE) the socket is never read here; its fd goes to the workers.
 *
 * <p>A socket this primary was given ({@link ListenSockets}: systemd's socket activation, or the primary it took
 * over from) is taken instead of bound when it matches; it stays the table's: closing here stops watching it.
 */
final class Bound {
    static final int BACKLOG = 511;
    /** Connections accepted per readiness event, so one busy listener cannot starve the loop's other work. */
    static final int ACCEPTS_PER_EVENT = 64;
    /** How long accepting rests after an accept error (EMFILE, ENFILE, ENOBUFS) before it tries again. */
    static final long ERROR_PAUSE_MS = 100;

    private static final Logger log = LoggerFactory.getLogger(Bound.class);

    /**
     * Receives the accepted fds, then a call to {@link #acceptedAll()} after each batch. {@code peer} is the
     * client's address as Netty's accept fills it (valid during the call only).
     */
    interface Acceptor {
        void accepted(int fd, byte[] peer);

        void acceptedAll();
    }

    private final Dispatcher dispatcher;
    private final String host;
    private final int port;
    private final InetSocketAddress at;
    private final Acceptor acceptor;
    private Socket socket;
    /** The socket is a given one ({@link ListenSockets}), not ours to close. */
    private boolean given;
    private boolean released;
    /** No more accepting, whatever the workers' room: the primary handed its sockets over. */
    private boolean stopped;
    private InetSocketAddress address;
    private ListenException error;
    private IoRegistration registration;
    private boolean closed;
    private boolean paused;
    private boolean resting;
    private final byte[] peer = new byte[26];   // filled by accept4: the client's address, for sticky routing

    /** {@code at} is resolved already (or unresolved, for a name that did not resolve): no DNS on the loop. */
    Bound(Dispatcher dispatcher, String host, int port, InetSocketAddress at, Acceptor acceptor) {
        this.dispatcher = dispatcher;
        this.host = host;
        this.port = port;
        this.at = at;
        this.acceptor = acceptor;
        bind();
    }

    private void bind() {
        Socket s = ListenSockets.get().take(Dispatcher.key(host, port), host, port, at);
        if (s != null) {
            given = true;
            socket = s;
            address = s.localAddress();
            watch();
            return;
        }
        try {
            if (at.isUnresolved()) {
                throw new java.net.UnknownHostException(host);
            }
            s = Socket.newSocketStream();
            s.setReuseAddress(true);
            s.bind(at);
            s.listen(BACKLOG);
            address = s.localAddress();
            socket = s;
        } catch (Exception e) {
            if (s != null) {
                Fds.closeQuietly(s);
            }
            error = ListenException.of(host, port, e);
            closed = true;
            return;
        }
        watch();
    }

    private void watch() {
        if (acceptor != null) {
            ((IoEventLoop) dispatcher.loop()).register(new Handle()).addListener(f -> {
                if (!f.isSuccess()) {
                    log.error("cannot watch the listening socket on port {}: {}", address.getPort(), f.cause().toString());
                    closeSocket();
                    return;
                }
                registration = (IoRegistration) f.getNow();
                if (closed) {
                    registration.cancel();
                } else {
                    interest();
                }
            });
        }
    }

    /** Runs {@code ok} with the address when bound, or answers the error (then runs {@code onError}). */
    void whenBound(ListenRequest request, FdLink worker, Consumer<InetSocketAddress> ok, Runnable onError) {
        if (address != null && !closed) {
            ok.accept(address);
            return;
        }
        ListenException e = error != null ? error
                : new ListenException(host, port, "EIO", "the listening socket was closed");
        dispatcher.reply(worker.worker, ListenReply.error(request.requestId(), host, port, e.code(),
                String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage())));
        onError.run();
    }

    /** Stops taking connections for good (the sockets went to a new primary, which accepts them now). */
    void stopAccepting() {
        stopped = true;
        interest();
    }

    /**
     * The primary is stopping: takes every connection the kernel has queued (accept until EAGAIN, whatever the
     * workers' room), then closes the socket at once, so the close resets none that the kernel had accepted (only
     * one completing its handshake in the microseconds between the last accept and the close). New ones are
     * refused from then on. Nothing to do for a socket handed to a new primary: its accept queue is the new
     * one's.
     */
    void acceptQueuedThenClose() {
        if (closed || stopped || acceptor == null) {
            return;
        }
        try {
            for (int fd; (fd = socket.accept(peer)) >= 0; ) {
                acceptor.accepted(fd, peer);
            }
            acceptor.acceptedAll();
        } catch (IOException e) {
            log.warn("accept failed on port {} while stopping: {}; closing the socket", address.getPort(), e.getMessage());
        }
        close();
    }

    /** Stops (or resumes) taking connections off the kernel's backlog, which holds them meanwhile. */
    void pauseAccepting(boolean pause) {
        if (pause != paused) {
            paused = pause;
            interest();
        }
    }

    /**
     * Pausing asks for error events only, not for none: Netty 4.2's submit(NONE) removes the fd from epoll but
     * keeps the registration marked added, so the next submit fails (ENOENT) and the socket is never read again.
     */
    private void interest() {
        if (registration != null && !closed) {
            try {
                registration.submit(paused || resting || stopped ? EpollIoOps.EPOLLERR : EpollIoOps.EPOLLIN);
            } catch (RuntimeException e) {
                log.error("cannot {} accepting on port {}; closing it: {}", paused || resting ? "pause" : "resume",
                        address.getPort(), e.toString());
                close();
            }
        }
    }

    FileDescriptor fd() {
        return socket;
    }

    /** The socket while it is open and bound, else null. */
    Socket openSocket() {
        return closed || address == null ? null : socket;
    }

    boolean closed() {
        return closed;
    }

    void close() {
        if (!closed) {
            closed = true;
            if (registration != null) {
                registration.cancel();
            }
            closeSocket();
        }
    }

    private void closeSocket() {
        closed = true;
        if (socket != null && !released) {
            released = true;
            if (given) {
                ListenSockets.get().giveBack(socket); // the port stays open: the table keeps it
            } else {
                Fds.closeQuietly(socket);
            }
        }
    }


    /** The socket as the loop sees it: level-triggered, so what one event leaves in the backlog fires again. */
    private final class Handle implements EpollIoHandle {
        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            if (closed || paused || resting || stopped) {
                return;
            }
            try {
                for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
                    int fd = socket.accept(peer);
                    if (fd < 0) {
                        break;
                    }
                    acceptor.accepted(fd, peer);
                }
            } catch (IOException e) {
                // Out of fds or buffers: the connection stays in the backlog; retrying at once would spin.
                log.warn("accept failed on port {}: {}; retrying in {} ms", address.getPort(), e.getMessage(),
                        ERROR_PAUSE_MS);
                resting = true;
                interest();
                dispatcher.loop().schedule(() -> {
                    resting = false;
                    interest();
                }, ERROR_PAUSE_MS, TimeUnit.MILLISECONDS);
            }
            acceptor.acceptedAll();
        }

        @Override
        public void close() {
            Bound.this.closeSocket();
        }
    }
}
