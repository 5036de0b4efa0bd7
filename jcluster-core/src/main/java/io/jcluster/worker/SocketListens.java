package io.jcluster.worker;

import io.jcluster.internal.Fds;
import io.jcluster.internal.Sockets;
import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.ListenReply;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.net.BindException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's listens in {@link io.jcluster.ipc.Message.ListenMode#SOCKET}: an unmodified server (under
 * jcluster's agent) asks for the listening socket of an address, whatever the cluster's policy. The answer
 * comes in two parts on two links, in either order: the {@link ListenReply} on the control link, the socket
 * on the fd link. Under RR that link also carries connections: while a listen waits for its socket, each fd
 * that arrives is asked whether it listens (SO_ACCEPTCONN) before it is taken for a connection.
 *
 * <p>Fds: a received listening socket belongs here until the waiting caller gets it (then it is the
 * caller's), or is closed when nobody waits for it any more.
 */
final class SocketListens {
    private static final Logger log = LoggerFactory.getLogger(SocketListens.class);

    private record Pending(String host, int port, CompletableFuture<ListeningSocket> future) { }

    private final Map<Integer, Pending> byRequest = new ConcurrentHashMap<>();
    /** Requests whose socket has not come (or that failed): while above zero, fds are asked if they listen. */
    private final AtomicInteger waiting = new AtomicInteger();
    // Guarded by this: replies that wait for their socket, and sockets that wait for their reply, by port.
    private final Map<Integer, Pending> replied = new HashMap<>();
    private final Map<Integer, Deque<FileDescriptor>> arrived = new HashMap<>();

    /** How long a caller waits for the primary's answer. */
    static final long TIMEOUT_SECONDS = 60;

    /**
     * Asks the primary on {@code control} for the listening socket of host:port and waits for it (the calling
     * thread, never an event loop), at most {@value #TIMEOUT_SECONDS} s.
     *
     * @throws BindException as the JDK words it when the primary cannot bind (port in use, permission denied …)
     */
    ListeningSocket request(io.netty.channel.Channel control, int requestId, String host, int port) throws BindException {
        CompletableFuture<ListeningSocket> granted = add(requestId, host, port);
        control.writeAndFlush(new Message.ListenRequest(requestId, host, port, Message.ListenMode.SOCKET)).addListener(f -> {
            if (!f.isSuccess()) {
                failed(requestId, f.cause());
            }
        });
        try {
            return granted.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof BindException b) {
                throw b;
            }
            throw (BindException) new BindException("jcluster: could not ask the primary for " + host + ":" + port
                    + ": " + e.getCause()).initCause(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            granted.cancel(false);
            throw new BindException("jcluster: the primary did not answer a listen on " + host + ":" + port + " within "
                    + TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            granted.cancel(false);
            throw new BindException("interrupted while the primary binds " + host + ":" + port);
        }
    }

    CompletableFuture<ListeningSocket> add(int requestId, String host, int port) {
        Pending p = new Pending(host, port, new CompletableFuture<>());
        waiting.incrementAndGet();
        byRequest.put(requestId, p);
        return p.future();
    }

    /** The request could not be sent. */
    void failed(int requestId, Throwable cause) {
        Pending p = byRequest.remove(requestId);
        if (p != null) {
            waiting.decrementAndGet();
            p.future().completeExceptionally(cause);
        }
    }

    /** A reply from the primary: true when it answers one of these requests. */
    boolean onReply(ListenReply r) {
        Pending p = byRequest.remove(r.requestId());
        if (p == null) {
            return false;
        }
        if (!r.ok()) {
            waiting.decrementAndGet();
            p.future().completeExceptionally(bindException(r.errorCode(), r.errorDetail()));
            log.warn("listen {} {}:{} refused by the primary ({}): the application's bind fails with "
                    + "java.net.BindException: {}", r.errorCode(), p.host().isEmpty() ? "0.0.0.0" : p.host(), p.port(),
                    r.errorDetail(), message(r.errorCode(), r.errorDetail()));
            return true;
        }
        Pending bound = new Pending(p.host(), r.port(), p.future());
        FileDescriptor fd;
        synchronized (this) {
            Deque<FileDescriptor> q = arrived.get(r.port());
            fd = q == null ? null : q.poll();
            if (q != null && q.isEmpty()) {
                arrived.remove(r.port());
            }
            if (fd == null) {
                replied.put(r.port(), bound);
                return true;
            }
        }
        grant(bound, fd);
        return true;
    }

    /** Whether an fd from the primary may be a listening socket for one of these requests. */
    boolean waiting() {
        return waiting.get() > 0;
    }

    /** An fd from the primary: true when it is the listening socket of one of these requests (taken). */
    boolean offer(FileDescriptor fd) {
        if (Sockets.isListening(fd.intValue()) != 1) {
            return false;
        }
        int port;
        try {
            port = new Socket(fd.intValue()).localAddress().getPort();
        } catch (RuntimeException e) {
            log.warn("could not read the address of a listening socket from the primary: {}", e.toString());
            return false;
        }
        Pending p;
        synchronized (this) {
            p = replied.remove(port);
            if (p == null) {
                boolean asked = byRequest.values().stream().anyMatch(q -> q.port() == port || q.port() == 0);
                if (!asked) {
                    return false; // a jcluster server's socket (policy NONE)
                }
                arrived.computeIfAbsent(port, k -> new ArrayDeque<>()).add(fd);
                return true;
            }
        }
        grant(p, fd);
        return true;
    }

    private void grant(Pending p, FileDescriptor fd) {
        waiting.decrementAndGet();
        if (!p.future().complete(new ListeningSocket(fd.intValue(), p.host(), p.port()))) {
            Fds.closeQuietly(fd); // the caller stopped waiting
        }
    }

    /** The exception the JDK would throw for this errno-like code (its text as the JDK words it). */
    static BindException bindException(String code, String detail) {
        return new BindException(message(code, detail));
    }

    static String message(String code, String detail) {
        return switch (code) {
            case "EADDRINUSE" -> "Address already in use";
            case "EACCES" -> "Permission denied";
            case "EADDRNOTAVAIL" -> "Cannot assign requested address";
            default -> detail == null || detail.isEmpty() ? code : detail + " (" + code + ")";
        };
    }

}
