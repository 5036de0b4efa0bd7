package io.jcluster.primary;

import io.jcluster.internal.Fds;
import io.jcluster.net.Transport;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Internal: a primary hands its listening sockets to a new primary over a Unix socket (SCM_RIGHTS), as nginx's and
 * Gunicorn's upgrades do, so the port never closes. One connection, the new primary's:
 *
 * <pre>
 * old → new   per socket: u16 length, the key it served ("host:port", UTF-8), then the fd (one byte + SCM_RIGHTS)
 * old → new   u16 0: that was all
 * new → old   'R' once its workers listen (ready)          [the old one stops accepting, lets go of its name]
 * old → new   'G' (go): the new primary takes the name
 * </pre>
 *
 * The new side files the sockets in {@link ListenSockets} under their keys, so its workers' listens take them.
 * A new primary that ends (or closes the connection) before 'R' has failed: the old one keeps serving. Every wait
 * has a deadline; both sides use the socket non-blocking and poll it (a few syscalls, once per upgrade), off the
 * I/O loop except for the send of the fds, which happens there, where the sockets live.
 */
public final class Handover {
    static final byte READY = 'R';
    static final byte GO = 'G';
    private static final long POLL_MS = 5;

    private Handover() {
    }

    /** The old primary's side: serves {@code path} for the one new primary it starts. */
    public static final class Offer implements AutoCloseable {
        private final Path path;
        private final Socket server;
        private Socket taker;

        private Offer(Path path, Socket server) {
            this.path = path;
            this.server = server;
        }

        public static Offer open(Path path) throws IOException {
            Transport.requireEpoll(); // Netty's native library: the sockets below are its
            Files.deleteIfExists(path);
            Socket s = Socket.newSocketDomain();
            try {
                s.bind(new DomainSocketAddress(path.toFile()));
                s.listen(1);
            } catch (IOException | RuntimeException e) {
                Fds.closeQuietly(s);
                throw new IOException("cannot serve " + path + " for the new primary: " + e.getMessage(), e);
            }
            return new Offer(path, s);
        }

        /**
         * Waits for the new primary to connect (while {@code alive}), then sends it every listening socket:
         * how many. Throws {@link IOException} when it did not connect in time or the send failed.
         */
        public int sendSockets(Duration timeout, BooleanSupplier alive) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] addr = new byte[128];
            while (taker == null) {
                int fd = server.accept(addr);
                if (fd >= 0) {
                    taker = new Socket(fd);
                    break;
                }
                if (!alive.getAsBoolean()) {
                    throw new IOException("the new primary ended before it asked for the listening sockets");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the new primary did not ask for the listening sockets within "
                            + timeout.toSeconds() + " s");
                }
                Thread.sleep(POLL_MS);
            }
            Primary p = Primary.current;
            if (p == null || p.dispatcher() == null) {
                return send(ListenSockets.get().idle(), deadline);
            }
            try {
                Dispatcher d = p.dispatcher();
                // On the loop: the handles' sockets live there, and none can close while they are sent.
                return d.loop().submit(() -> send(d.sockets(), deadline)).get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }

        private int send(Map<String, Socket> sockets, long deadline) throws IOException, InterruptedException {
            for (Map.Entry<String, Socket> e : sockets.entrySet()) {
                byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
                ByteBuffer b = ByteBuffer.allocateDirect(2 + key.length);
                b.putShort((short) key.length).put(key).flip();
                write(taker, b, deadline);
                while (taker.sendFd(e.getValue().intValue()) <= 0) {
                    pause(deadline, "sending a listening socket");
                }
            }
            write(taker, ByteBuffer.allocateDirect(2).putShort((short) 0).flip(), deadline);
            return sockets.size();
        }

        /** True once the new primary says its workers listen; false when it ended, hung up or took too long. */
        public boolean awaitReady(Duration timeout, BooleanSupplier alive) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            ByteBuffer b = ByteBuffer.allocateDirect(1);
            try {
                while (System.nanoTime() < deadline) {
                    int n = taker.read(b, 0, 1);
                    if (n > 0) {
                        return b.get(0) == READY;
                    }
                    if (n < 0 || (!alive.getAsBoolean() && taker.read(b, 0, 1) <= 0)) {
                        return false;
                    }
                    Thread.sleep(POLL_MS);
                }
            } catch (IOException e) {
                return false;
            }
            return false;
        }

        /**
         * Stops accepting on every listening socket (the new primary accepts now) and waits, up to {@code max},
         * until no connection this primary accepted waits for a worker or for a worker's acknowledgement, so that
         * the drain that follows refuses none.
         */
        public void stopAccepting(Duration max) throws InterruptedException {
            Primary p = Primary.current;
            if (p == null || p.dispatcher() == null) {
                return;
            }
            Dispatcher d = p.dispatcher();
            long deadline = System.nanoTime() + max.toNanos();
            try {
                d.loop().submit(d::stopAccepting).get();
                while (System.nanoTime() < deadline && d.loop().submit(() -> d.holdsPending() || p.inFlight()).get()) {
                    Thread.sleep(POLL_MS);
                }
            } catch (ExecutionException | java.util.concurrent.RejectedExecutionException e) {
                // the loop is gone: nothing is accepted any more
            }
        }

        /** Tells the new primary to take over (the name is free now). */
        public void release() throws IOException, InterruptedException {
            write(taker, ByteBuffer.allocateDirect(1).put(GO).flip(), System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        }

        @Override
        public void close() {
            if (taker != null) {
                Fds.closeQuietly(taker);
            }
            Fds.closeQuietly(server);
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // best effort: it is in the registry, which the next upgrade cleans
            }
        }
    }

    /** The new primary's side: takes the sockets before its workers listen, then says when it is ready. */
    public static final class Taker implements AutoCloseable {
        private final Socket socket;
        private final int received;

        private Taker(Socket socket, int received) {
            this.socket = socket;
            this.received = received;
        }

        /** Connects to the old primary at {@code path} and files every socket it sends in {@link ListenSockets}. */
        public static Taker connect(Path path, Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            Transport.requireEpoll(); // Netty's native library: the sockets below are its
            Socket s = Socket.newSocketDomain();
            try {
                if (!s.connect(new DomainSocketAddress(path.toFile()))) {
                    while (!s.finishConnect()) {
                        pause(deadline, "connecting to the old primary");
                    }
                }
                int n = 0;
                ByteBuffer len = ByteBuffer.allocateDirect(2);
                for (;;) {
                    read(s, len, 2, deadline);
                    int k = len.getShort(0) & 0xffff;
                    if (k == 0) {
                        break;
                    }
                    ByteBuffer key = ByteBuffer.allocateDirect(k);
                    read(s, key, k, deadline);
                    byte[] name = new byte[k];
                    key.get(0, name);
                    int fd;
                    while ((fd = s.recvFd()) == 0) {
                        pause(deadline, "receiving a listening socket");
                    }
                    if (fd < 0) {
                        throw new IOException("the old primary closed the connection while sending its sockets");
                    }
                    ListenSockets.get().adopt(fd, new String(name, StandardCharsets.UTF_8), "from the old primary");
                    n++;
                }
                return new Taker(s, n);
            } catch (IOException | RuntimeException | InterruptedException e) {
                Fds.closeQuietly(s);
                throw e;
            }
        }

        public int received() {
            return received;
        }

        /**
         * Tells the old primary that the workers listen, and waits (up to {@code timeout}) for it to let go of the
         * name: true on its go, false when it hung up first (it ended: the name is free too) or took too long.
         */
        public boolean ready(Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            write(socket, ByteBuffer.allocateDirect(1).put(READY).flip(), deadline);
            ByteBuffer b = ByteBuffer.allocateDirect(1);
            while (System.nanoTime() < deadline) {
                int n = socket.read(b, 0, 1);
                if (n > 0) {
                    return b.get(0) == GO;
                }
                if (n < 0) {
                    return false;
                }
                Thread.sleep(POLL_MS);
            }
            return false;
        }

        @Override
        public void close() {
            Fds.closeQuietly(socket);
        }
    }

    private static void write(Socket s, ByteBuffer b, long deadline) throws IOException, InterruptedException {
        while (b.hasRemaining()) {
            int n = s.write(b, b.position(), b.limit());
            if (n > 0) {
                b.position(b.position() + n);
            } else {
                pause(deadline, "writing to the other primary");
            }
        }
    }

    /** Reads exactly {@code n} bytes into {@code b} (never more: the byte after them may carry an fd). */
    private static void read(Socket s, ByteBuffer b, int n, long deadline) throws IOException, InterruptedException {
        int at = 0;
        while (at < n) {
            int r = s.read(b, at, n);
            if (r < 0) {
                throw new IOException("the old primary closed the connection while sending its sockets");
            }
            if (r == 0) {
                pause(deadline, "reading from the old primary");
            }
            at += r;
        }
    }

    private static void pause(long deadline, String what) throws IOException, InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new IOException("timed out " + what);
        }
        Thread.sleep(POLL_MS);
    }
}
