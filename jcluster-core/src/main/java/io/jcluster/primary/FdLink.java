package io.jcluster.primary;

import io.jcluster.internal.Fds;
import io.jcluster.balance.Target;
import io.jcluster.internal.FdBatch;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.unix.FileDescriptor;
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
 *
 * <p>A batched link (the worker reads several fds per message, {@link FdBatch}) sends each flush's connections
 * in one sendmsg, straight to the socket: nothing else is ever written to an fd link, so no write can overtake
 * or be overtaken. Otherwise each fd is its own message, written through the channel.
 */
final class FdLink implements Target {
    private static final Logger log = LoggerFactory.getLogger(FdLink.class);

    record Handoff(FileDescriptor fd, RoundRobinHandle handle) { }

    final WorkerHandle worker;
    final Channel channel;
    private final int window;
    private final ArrayDeque<Handoff> unacked = new ArrayDeque<>();
    private final boolean batched;
    private final FileDescriptor[] batch;
    private final int[] batchFds;
    private int batchSize;
    private boolean dirty;
    private boolean gone;
    private boolean left;
    /**
     * Connections handed to the worker and not closed yet, as far as the primary knows: one more per send, one
     * less per refusal and per close the worker reports (it does so under least-connections only).
     */
    private int open;

    FdLink(WorkerHandle worker, Channel channel, int window, boolean batched) {
        this.worker = worker;
        this.channel = channel;
        this.window = window;
        this.batched = batched && FdBatch.AVAILABLE && channel instanceof UnixChannel;
        this.batch = this.batched ? new FileDescriptor[Math.min(window, FdBatch.MAX_FDS)] : null;
        this.batchFds = this.batched ? new int[batch.length] : null;
    }

    boolean batched() {
        return batched;
    }

    @Override
    public boolean hasRoom() {
        return !gone && unacked.size() < window && channel.isOpen();
    }

    /** The worker left every handle (it is disconnecting, or dead): it is not added to one again. */
    boolean hasLeft() {
        return left;
    }

    void leave() {
        left = true;
    }

    int inFlight() {
        return unacked.size();
    }

    @Override
    public int connections() {
        return open;
    }

    /** The worker's slot: a restarted worker keeps its sticky clients. */
    @Override
    public long affinity() {
        return worker.slot();
    }

    /** The worker reports {@code n} closes of connections it took. */
    void closed(int n) {
        int acked = open - unacked.size();
        if (n > acked) {
            // Cannot happen while the worker counts only what it acknowledged; the count must not go below.
            log.debug("worker {} reported {} closes with {} acknowledged connections open", worker.id(), n, acked);
            n = acked;
        }
        open -= n;
    }

    /** Hands a connection to the worker; flushed by {@link #flush()}. */
    void send(FileDescriptor fd, RoundRobinHandle handle) {
        unacked.addLast(new Handoff(fd, handle));
        open++;
        dirty = true;
        if (!batched) {
            channel.write(fd, channel.voidPromise());
            return;
        }
        batch[batchSize] = fd;
        batchFds[batchSize++] = fd.intValue();
        if (batchSize == batch.length) {
            sendBatch();
        }
    }

    void flush() {
        if (dirty) {
            dirty = false;
            if (batched) {
                sendBatch();
            } else {
                channel.flush();
            }
        }
    }

    /**
     * One sendmsg for the batch. On any error the worker is gone or going, and the link is closed: what it had
     * not acknowledged goes back to its handle when the link is down. That includes EAGAIN, which the window
     * rules out unless the socket's send buffer is tiny (net.core.wmem_default): Netty's one-fd path cannot wait
     * for room either (its channel fails the write and shuts the link).
     */
    private void sendBatch() {
        if (batchSize == 0) {
            return;
        }
        int n = batchSize;
        batchSize = 0;
        if (!channel.isOpen()) {
            // Closed, its inactive event not run yet: the fd number may already be another socket's. The fds
            // stay unacknowledged, and the link's end gives them back.
            gone = true;
            java.util.Arrays.fill(batch, 0, n, null);
            return;
        }
        int r = FdBatch.send(((UnixChannel) channel).fd().intValue(), batchFds, 0, n);
        if (r < 0) {
            if (r == FdBatch.EAGAIN) {
                log.warn("fd link of worker {} is full with {} fds in flight (a small net.core.wmem_default?); closing it",
                        worker.id(), unacked.size());
            } else {
                log.debug("fd link of worker {}: sendmsg failed (errno {}); closing it", worker.id(), -r);
            }
            gone = true;
            channel.close();
        }
        java.util.Arrays.fill(batch, 0, n, null);
    }

    /** The worker took the next {@code n}: close the primary's copies. False on a protocol violation. */
    boolean ack(int n) {
        if (n > unacked.size()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            Fds.closeQuietly(unacked.pollFirst().fd());
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
            open--;
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


    @Override
    public String toString() {
        return "worker " + worker.id();
    }
}
