package io.jcluster.http;

import io.jcluster.net.Transport;
import io.jcluster.worker.WorkerRuntime;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs requests through this JVM's HTTP pipeline in memory before the first app listens, so that the first
 * client of a new worker is not the one that pays for loading ~300 classes (the codec, the router, the response
 * writer, the date header's {@code java.time}, Jackson's serializers) and for interpreted code: measured on the
 * hello example, its first request took 200-600 ms and the third 9 ms. That matters most where a worker takes
 * traffic all at once, a hot spare promoted in place of a dead worker or a replacement after a crash.
 *
 * <p>The requests go to an app of its own ({@link App#uncounted}): the same options (so the same Jackson mapper,
 * whose serializer cache warms) but none of the application's routes or middleware, so nothing of the
 * application runs, and nothing is counted in the worker's requests or durations. An {@link EmbeddedChannel}
 * carries them: no socket, no port, no event loop. In a worker, a few rounds then go over a real TCP connection to a
 * private listener on the loopback address ({@link #overLoopback}): never the cluster's port, never counted, closed
 * before the worker listens. Bounded by {@link #ROUNDS} and {@link #BUDGET_NANOS}, then {@link #LOOPBACK_ROUNDS}
 * and {@link #LOOPBACK_BUDGET_NANOS}; once per JVM. A failure is logged and ignored: the app then starts cold, as it would without this.
 */
final class Warmup {
    private static final Logger log = LoggerFactory.getLogger(Warmup.class);
    private static final AtomicBoolean DONE = new AtomicBoolean();
    /** Rounds of the four requests below: enough for C1 to compile the hot path (its threshold is ~200 calls). */
    static final int ROUNDS = 400;
    /** The most a warm-up may take, whatever the machine's load. */
    static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(400);
    /** Rounds over the loopback connection: with the workers' halved JIT thresholds, C1 compiles after ~100 calls. */
    static final int LOOPBACK_ROUNDS = 30;
    /** The most the rounds over the loopback connection may take, after the in-memory ones. */
    static final long LOOPBACK_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** Connections of one request each after those rounds ({@code Connection: close}), as most clients make them. */
    static final int SHORT_CONNECTIONS = 20;

    // Header names in both spellings: curl, browsers and wrk send "Host:", Node's undici sends "host:".
    private static final byte[] ROUND = ("GET / HTTP/1.1\r\nHost: warm-up\r\nUser-Agent: warm-up\r\nAccept: */*\r\n\r\n"
            + "GET /text?q=1 HTTP/1.1\r\nhost: warm-up\r\n\r\n"
            + "POST /json HTTP/1.1\r\nhost: warm-up\r\ncontent-type: application/json\r\ncontent-length: 17\r\n\r\n"
            + "{\"message\":\"hi\"}"
            + "GET /missing HTTP/1.1\r\nhost: warm-up\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "GET / HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private Warmup() {
    }

    /** Warms the pipeline with {@code options}' settings, the first time only; returns the rounds it ran. */
    static int once(HttpOptions options) {
        if (!DONE.compareAndSet(false, true)) {
            return 0;
        }
        long start = System.nanoTime();
        try {
            int rounds = run(options, start + BUDGET_NANOS);
            if (log.isDebugEnabled()) {
                log.debug("warmed the HTTP pipeline: {} rounds in {} ms", rounds,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
            return rounds;
        } catch (RuntimeException | LinkageError e) {
            log.warn("could not warm the HTTP pipeline up (the first requests will be slower): {}", e.toString());
            log.debug("warm-up failure", e);
            return 0;
        }
    }

    /**
     * Runs rounds until {@link #ROUNDS} or {@code deadline}; the responses are checked and dropped. Then, in a
     * worker, the {@linkplain #overLoopback same requests over a real connection}.
     */
    static int run(HttpOptions options, long deadline) {
        App app = app(options);
        int rounds = inMemory(app, deadline);
        WorkerRuntime runtime = WorkerRuntime.current();
        // Not under jcluster's agent (--agent on): it would serve the warm-up's own bind from the primary.
        if (runtime != null && !WorkerRuntime.isEmbedded()) {
            rounds += overLoopback(app, runtime.group(), LOOPBACK_BUDGET_NANOS);
        }
        return rounds;
    }

    /** The warm-up's own app: routes for the requests of {@link #ROUND}, uncounted. */
    static App app(HttpOptions options) {
        return App.uncounted(options)
                .get("/", (req, res) -> res.json(Map.of("message", "warm-up")))
                .get("/text", (req, res) -> res.type("text/plain").send(req.query("q")))
                .post("/json", (req, res) -> res.status(201).json(req.json()));
    }

    /**
     * {@link #LOOPBACK_ROUNDS} rounds on a TCP connection to a private listener on the loopback address, served by
     * the worker's event loop, the one its clients' connections will be registered with: what the in-memory rounds
     * cannot warm. Measured on a new worker of the hello example (2-core host): its first client's request took 21-25
     * ms against 3 ms for the next ones, most of it between receiving the connection's fd and registering it
     * (strace: 14 ms), where the JVM loads the socket channel's classes and throws away the code compiled for the
     * in-memory channel. Then {@link #SHORT_CONNECTIONS} connections of one request each: a worker whose clients
     * connect per request (a promoted spare's, in {@code bench/spares}) otherwise ran its connection set-up and close
     * interpreted. Skipped on the event loop itself (a listen called from a callback), which would wait for itself.
     */
    static int overLoopback(App app, EventLoopGroup group, long budgetNanos) {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                return 0;
            }
        }
        long deadline = System.nanoTime() + budgetNanos;
        ChannelFuture bound = new ServerBootstrap().group(group).channelFactory(Transport::newServerChannel)
                .childHandler(app.initializer()).bind(InetAddress.getLoopbackAddress(), 0);
        if (!bound.awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(budgetNanos)) || !bound.isSuccess()) {
            bound.channel().close();
            Throwable why = bound.cause() != null ? bound.cause() : new IOException("no bind within the budget");
            throw new UncheckedIOException("the warm-up could not listen on the loopback address",
                    why instanceof IOException io ? io : new IOException(why));
        }
        Channel listener = bound.channel();
        int rounds = 0;
        try {
            try (Socket client = connect(listener, deadline)) {
                OutputStream out = client.getOutputStream();
                InputStream in = new BufferedInputStream(client.getInputStream());
                while (rounds < LOOPBACK_ROUNDS && System.nanoTime() - deadline < 0) {
                    client.setSoTimeout((int) Math.max(1, remainingMillis(deadline)));
                    out.write(ROUND);
                    readResponses(in, 4);
                    rounds++;
                }
                lastRequest(client, out, in, deadline);
            }
            for (int c = 0; c < SHORT_CONNECTIONS && System.nanoTime() - deadline < 0; c++) {
                try (Socket client = connect(listener, deadline)) {
                    lastRequest(client, client.getOutputStream(), new BufferedInputStream(client.getInputStream()),
                            deadline);
                }
            }
        } catch (SocketTimeoutException e) {
            // Out of its budget mid-round (a loaded machine): the rounds done so far warmed what they could.
            log.debug("the warm-up over the loopback address ran out of its budget after {} rounds", rounds);
        } catch (IOException e) {
            throw new UncheckedIOException("the warm-up over the loopback address failed", e);
        } finally {
            listener.close().syncUninterruptibly();
        }
        return rounds;
    }

    private static Socket connect(Channel listener, long deadline) throws IOException {
        Socket client = new Socket();
        try {
            client.connect(listener.localAddress(), (int) Math.max(1, remainingMillis(deadline)));
            return client;
        } catch (IOException e) {
            client.close();
            throw e;
        }
    }

    /** Sends {@link #CLOSE} and checks that its response is the connection's last word. */
    private static void lastRequest(Socket client, OutputStream out, InputStream in, long deadline) throws IOException {
        client.setSoTimeout((int) Math.max(1, remainingMillis(deadline)) + 100);
        out.write(CLOSE);
        readResponses(in, 1);
        if (in.read() != -1) {
            throw new IllegalStateException("the warm-up's connection stayed open after 'connection: close'");
        }
    }

    private static long remainingMillis(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    /** Reads {@code responses} whole responses (head, then a body of its content-length) and drops them. */
    private static void readResponses(InputStream in, int responses) throws IOException {
        for (int seen = 0; seen < responses; seen++) {
            int length = -1;
            for (String l; !(l = readLine(in)).isEmpty(); ) {
                if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(l.substring(15).trim());
                }
            }
            if (length < 0) {
                throw new IOException("a warm-up response without content-length");
            }
            if (in.readNBytes(length).length != length) {
                throw new IOException("the warm-up's connection ended in a response's body");
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("the warm-up's connection ended in a response's head");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static int inMemory(App app, long deadline) {
        EmbeddedChannel ch = new EmbeddedChannel(app.initializer());
        int rounds = 0;
        try {
            while (rounds < ROUNDS && System.nanoTime() - deadline < 0) {
                ch.writeInbound(Unpooled.wrappedBuffer(ROUND));
                expect(ch, 4);
                rounds++;
            }
            ch.writeInbound(Unpooled.wrappedBuffer(CLOSE));
            expect(ch, 1);
        } finally {
            ch.finishAndReleaseAll();
        }
        return rounds;
    }

    /** Reads what the pipeline wrote and checks that {@code responses} responses came out. */
    private static void expect(EmbeddedChannel ch, int responses) {
        int seen = 0;
        for (Object o; (o = ch.readOutbound()) != null; ) {
            if (o instanceof ByteBuf b) {
                seen += count(b);
            }
            io.netty.util.ReferenceCountUtil.release(o);
        }
        if (seen != responses) {
            throw new IllegalStateException("the warm-up expected " + responses + " responses, saw " + seen);
        }
    }

    /** Status lines ("HTTP/1.1 ") in {@code b}: the responses it holds. */
    private static int count(ByteBuf b) {
        int n = 0;
        for (int i = b.readerIndex(), end = b.writerIndex() - 8; i <= end; i++) {
            if (b.getByte(i) == 'H' && b.getByte(i + 1) == 'T' && b.getByte(i + 2) == 'T' && b.getByte(i + 3) == 'P'
                    && b.getByte(i + 4) == '/' && b.getByte(i + 8) == ' ' && (i == b.readerIndex()
                    || b.getByte(i - 1) == '\n')) {
                n++;
            }
        }
        return n;
    }
}
