package io.jcluster.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
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
 * carries them: no socket, no port, no event loop. Bounded by {@link #ROUNDS} and {@link #BUDGET_NANOS}; once
 * per JVM. A failure is logged and ignored: the app then starts cold, as it would without this.
 */
final class Warmup {
    private static final Logger log = LoggerFactory.getLogger(Warmup.class);
    private static final AtomicBoolean DONE = new AtomicBoolean();
    /** Rounds of the four requests below: enough for C1 to compile the hot path (its threshold is ~200 calls). */
    static final int ROUNDS = 400;
    /** The most a warm-up may take, whatever the machine's load. */
    static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(400);

    private static final byte[] ROUND = ("GET / HTTP/1.1\r\nhost: warm-up\r\naccept: */*\r\n\r\n"
            + "GET /text?q=1 HTTP/1.1\r\nhost: warm-up\r\n\r\n"
            + "POST /json HTTP/1.1\r\nhost: warm-up\r\ncontent-type: application/json\r\ncontent-length: 17\r\n\r\n"
            + "{\"message\":\"hi\"}"
            + "GET /missing HTTP/1.1\r\nhost: warm-up\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "GET / HTTP/1.1\r\nhost: warm-up\r\nconnection: close\r\n\r\n"
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

    /** Runs rounds until {@link #ROUNDS} or {@code deadline}; the responses are checked and dropped. */
    static int run(HttpOptions options, long deadline) {
        App app = App.uncounted(options)
                .get("/", (req, res) -> res.json(Map.of("message", "warm-up")))
                .get("/text", (req, res) -> res.type("text/plain").send(req.query("q")))
                .post("/json", (req, res) -> res.status(201).json(req.json()));
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
