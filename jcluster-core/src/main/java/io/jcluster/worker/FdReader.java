package io.jcluster.worker;

import io.jcluster.internal.Fds;
import io.jcluster.internal.FdBatch;
import io.jcluster.ipc.Codec;
import io.jcluster.ipc.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's end of a batched fd link ({@link FdBatch}): a bare epoll handle on the Unix socket, as the
 * primary's listening socket is. Each message brings the connections of one flush of the primary; the answers
 * to all the messages of a wake-up go back as runs of Ack and Refuse frames in one write. Confined to its loop.
 */
final class FdReader implements EpollIoHandle {
    private static final Logger log = LoggerFactory.getLogger(FdReader.class);
    /** Messages read per readiness event, so a busy link cannot starve the loop's connections. */
    static final int MESSAGES_PER_EVENT = 16;

    private final Socket socket;
    private final Function<FileDescriptor, Boolean> taker;
    private final Runnable onClosed;
    private final int[] received = new int[FdBatch.MAX_FDS];
    private final AckRuns runs;
    private final ByteBuf out = Unpooled.directBuffer(256);
    private final IoEventLoop loop;
    private IoRegistration registration;
    private boolean wantsOut;
    private boolean closed;

    /**
     * {@code taker} gets each fd received: true to ack it, false to refuse it, null for no answer (a listening
     * socket under NONE). {@code onClosed} runs once when the primary closes the link or it fails.
     */
    private FdReader(IoEventLoop loop, Socket socket, Function<FileDescriptor, Boolean> taker, Runnable onClosed,
                     CloseReports closes) {
        this.runs = new AckRuns(closes::take);
        this.loop = loop;
        this.socket = socket;
        this.taker = taker;
        this.onClosed = onClosed;
    }

    /** Connects to the primary's IPC socket and writes {@code hello}; {@link #register} then watches it. */
    static FdReader connect(String path, Message hello, IoEventLoop loop, Function<FileDescriptor, Boolean> taker,
                            Runnable onClosed, CloseReports closes) throws IOException {
        Socket s = Socket.newSocketDomain();
        FdReader r = new FdReader(loop, s, taker, onClosed, closes);
        try {
            if (!s.connect(new DomainSocketAddress(path))) {
                throw new IOException("connect to " + path + " did not complete at once");
            }
            Codec.writeFrame(hello, r.out);
            r.writeOut();
            if (r.out.isReadable()) {
                throw new IOException("could not write the Hello to " + path);
            }
        } catch (IOException | RuntimeException e) {
            r.out.release();
            s.close();
            throw e;
        }
        return r;
    }

    Future<IoRegistration> register() {
        return loop.register(this).addListener(f -> {
            if (!f.isSuccess()) {
                log.error("cannot watch the fd link: {}", f.cause().toString());
                fail();
                return;
            }
            registration = (IoRegistration) f.getNow();
            submit(EpollIoOps.EPOLLIN);
        });
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        if (closed) {
            return;
        }
        if (((EpollIoEvent) event).ops().contains(EpollIoOps.EPOLLOUT)) {
            flush();
        }
        for (int m = 0; m < MESSAGES_PER_EVENT && !closed; m++) {
            int n = FdBatch.receive(socket.intValue(), received);
            if (n == FdBatch.EAGAIN) {
                break;
            }
            if (n == FdBatch.EOF || n < 0) {
                if (n != FdBatch.EOF) {
                    log.error("fd link: recvmsg failed (errno {}); closing the link", -n);
                }
                fail();
                return;
            }
            for (int i = 0; i < n; i++) {
                Boolean taken;
                try {
                    taken = taker.apply(new FileDescriptor(received[i]));
                } catch (RuntimeException e) {
                    // Our answers would no longer match the primary's count of fds in flight: end the link
                    // (the worker exits, and the primary gives what we had not acknowledged to the others).
                    log.error("fd link: taking a connection failed; closing the link", e);
                    for (int j = i + 1; j < n; j++) {
                        Fds.closeQuietly(new FileDescriptor(received[j]));
                    }
                    fail();
                    return;
                }
                if (taken != null) {
                    answer(runs.add(taken));
                }
            }
        }
        answer(runs.end());
        flush();
    }

    /** Writes one frame of our own (a report of closes) on the link; on its loop only. */
    void send(Message frame) {
        if (!closed) {
            answer(frame);
            flush();
        }
    }

    IoEventLoop loop() {
        return loop;
    }

    private void answer(Message frame) {
        if (frame != null) {
            Codec.writeFrame(frame, out);
        }
    }

    /** Writes what it can; the rest waits for EPOLLOUT, in order. */
    private void flush() {
        if (closed) {
            return;
        }
        try {
            writeOut();
        } catch (IOException e) {
            log.debug("fd link: write failed: {}", e.toString());
            fail();
            return;
        }
        boolean more = out.isReadable();
        if (more != wantsOut && registration != null) {
            wantsOut = more;
            submit(more ? EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT) : EpollIoOps.EPOLLIN);
        }
    }

    private void submit(EpollIoOps ops) {
        try {
            registration.submit(ops);
        } catch (RuntimeException e) {
            log.error("fd link: cannot watch it for {}: {}", ops, e.toString());
            fail();
        }
    }


    private void writeOut() throws IOException {
        while (out.isReadable()) {
            java.nio.ByteBuffer b = out.internalNioBuffer(out.readerIndex(), out.readableBytes());
            int w = socket.write(b, b.position(), b.limit());
            if (w <= 0) {
                return;
            }
            out.skipBytes(w);
        }
        out.clear();
    }

    private void fail() {
        if (!closed) {
            close();
            onClosed.run();
        }
    }

    /** Closes the link from any thread; {@code onClosed} does not run. */
    void closeLater() {
        if (loop.inEventLoop()) {
            close();
        } else {
            loop.execute(this::close);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        // Best effort: the answers of this wake-up, and any waiting for room, tell the primary which connections
        // this worker took; without them it would hand those to another worker while this one may still serve them.
        try {
            answer(runs.end());
            writeOut();
        } catch (IOException | RuntimeException e) {
            log.debug("fd link: last answers not written: {}", e.toString());
        }
        out.release();
        try {
            socket.close();
        } catch (IOException e) {
            log.warn("could not close the fd link: {}", e.toString());
        }
    }
}
