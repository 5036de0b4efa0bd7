package io.jcluster.primary;

import io.jcluster.balance.Target;
import io.netty.channel.Channel;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's end of one worker's fd link, and the connections handed over it that the worker has not
 * acknowledged yet. Confined to the primary's I/O loop.
 *
 * <p>Ownership: a connection written here stays the primary's (its copy sits in {@code unacked}) until the
 * worker's Ack closes it, or a Refuse or the worker's death gives it back to its handle for another worker.
 * The window caps the fds in flight below what a Unix socket buffer holds, so a write never meets EAGAIN.
 */
final class FdLink implements Target {
    private static final Logger log = LoggerFactory.getLogger(FdLink.class);

    record Handoff(FileDescriptor fd, RoundRobinHandle handle) { }

    final WorkerHandle worker;
    final Channel channel;
    private final int window;
    private final ArrayDeque<Handoff> unacked = new ArrayDeque<>();
    private boolean dirty;
    private boolean gone;

    FdLink(WorkerHandle worker, Channel channel, int window) {
        this.worker = worker;
        this.channel = channel;
        this.window = window;
    }

    @Override
    public boolean hasRoom() {
        return !gone && unacked.size() < window;
    }

    int inFlight() {
        return unacked.size();
    }

    /** Hands a connection to the worker; flushed by {@link #flush()}. */
    void send(FileDescriptor fd, RoundRobinHandle handle) {
        unacked.addLast(new Handoff(fd, handle));
        channel.write(fd, channel.voidPromise());
        dirty = true;
    }

    void flush() {
        if (dirty) {
            dirty = false;
            channel.flush();
        }
    }

    /** The worker took the next {@code n}: close the primary's copies. False on a protocol violation. */
    boolean ack(int n) {
        if (n > unacked.size()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            closeQuietly(unacked.pollFirst().fd());
        }
        return true;
    }

    /** The worker gave back the next {@code n}: each returns to its handle, and this worker leaves it. */
    boolean refuse(int n) {
        if (n > unacked.size()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            Handoff h = unacked.pollFirst();
            h.handle().remove(this, false);
            h.handle().giveBack(h.fd());
        }
        return true;
    }

    /** The worker is gone: every connection it had not acknowledged goes back to its handle. */
    void lost() {
        gone = true;
        Handoff h;
        while ((h = unacked.pollLast()) != null) {
            h.handle().giveBack(h.fd());
        }
    }

    static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException e) {
            log.warn("could not close fd {}: {}", fd.intValue(), e.toString());
        }
    }

    @Override
    public String toString() {
        return "worker " + worker.id();
    }
}
