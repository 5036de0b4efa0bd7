package io.jcluster.reliability.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jcluster.cluster.ServerClosing;
import io.jcluster.http.App;
import io.jcluster.http.HttpException;
import io.jcluster.http.HttpOptions;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Fuzzes the HTTP layer's request handling: raw bytes into an app's real pipeline ({@link App#initializer()})
 * on an EmbeddedChannel, in pieces, with the clock moved (timeouts) and the server closing. A finding is an
 * exception that escapes the pipeline, a WARN or ERROR logged by the HTTP layer (its handler logs an
 * exception that escaped its own handling there), a buffer not released (checked exactly with a tracking
 * allocator, besides the leak detector at PARANOID), or output that is not a sequence of whole responses.
 * The channel may end open (waiting for more) or closed after an answer: both are clean.
 *
 * <p>Input: byte 0 is the piece size (0: all at once); byte 1 holds flags: bit 0 moves the clock past every
 * timeout after the input, bit 1 fires the server's closing event half-way, bit 2 closes the channel from
 * the client's side half-way; the rest is the wire.
 */
class HttpFuzzTest {
    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private static final App APP = app();

    private static App app() {
        App app = App.create(new HttpOptions().maxBodySize(64 * 1024).maxHeaderSize(4096).maxRequestLine(2048)
                .headersTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(4))
                .keepAliveTimeout(Duration.ofSeconds(1)));
        app.use((req, res, next) -> {
            res.header("X-Seen", String.valueOf(req.header("x-fuzz")).length() + "");
            next.next();
        });
        app.get("/", (req, res) -> res.json(Map.of("message", "hello")));
        app.get("/users/:id", (req, res) -> res.json(Map.of("id", req.param("id"))));
        app.get("/q", (req, res) -> res.send(String.valueOf(req.queries("x"))));
        app.post("/echo", (req, res) -> res.type("bin").send(req.bodyBytes()));
        app.post("/json", (req, res) -> res.json(req.json()));
        app.put("/text", (req, res) -> res.send(req.body()));
        app.get("/teapot", (req, res) -> {
            throw new HttpException(418, "short and stout");
        });
        app.all("/any/*", (req, res) -> res.status(204).end());
        return app;
    }

    @FuzzTest(maxDuration = "5m")
    void requests(byte[] input) {
        if (input.length < 2) {
            return;
        }
        int piece = input[0] & 0xFF;
        int flags = input[1];
        byte[] wire = Arrays.copyOfRange(input, 2, input.length);
        TrackingAllocator alloc = new TrackingAllocator();
        List<String> problems;
        String log;
        try (LogCapture capture = new LogCapture()) {
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.config().setAllocator(alloc);
            ch.freezeTime();
            ch.pipeline().addLast(APP.initializer());
            Responses out = new Responses();
            try {
                int half = wire.length / 2;
                boolean halfDone = false;
                for (int at = 0; at < wire.length && ch.isOpen(); ) {
                    int n = piece == 0 ? wire.length - at : Math.min(piece, wire.length - at);
                    ByteBuf b = alloc.buffer(n);
                    b.writeBytes(wire, at, n);
                    at += n;
                    ch.writeInbound(b);
                    drain(ch, out);
                    if (!halfDone && at >= half) {
                        halfDone = true;
                        if ((flags & 2) != 0) {
                            ch.pipeline().fireUserEventTriggered(ServerClosing.INSTANCE);
                            ch.runPendingTasks();
                            drain(ch, out);
                        }
                        if ((flags & 4) != 0) {
                            ch.close();
                        }
                    }
                }
                if ((flags & 1) != 0) {
                    for (int i = 0; i < 3; i++) {
                        ch.advanceTimeBy(2500, TimeUnit.MILLISECONDS);
                        ch.runScheduledPendingTasks();
                        ch.runPendingTasks();
                        drain(ch, out);
                    }
                }
                ch.checkException();
            } finally {
                ch.finishAndReleaseAll();
            }
            out.check(new String(wire, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .toUpperCase(java.util.Locale.ROOT).contains("HEAD"));
            problems = capture.problems("io.jcluster");
            log = capture.all();
        }
        List<String> leaks = alloc.unreleased();
        alloc.releaseAll();
        if (!problems.isEmpty()) {
            throw new AssertionError("the HTTP layer logged " + problems + "\n" + log);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("buffers not released: " + leaks);
        }
    }

    private static void drain(EmbeddedChannel ch, Responses out) {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            try {
                if (o instanceof ByteBuf b) {
                    out.add(b);
                } else {
                    throw new AssertionError("wrote a " + o.getClass().getName() + ", not bytes");
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
    }

    /** The bytes the server wrote, checked to be whole HTTP/1.1 responses with a Content-Length each. */
    static final class Responses {
        private final StringBuilder text = new StringBuilder();

        void add(ByteBuf b) {
            text.append(b.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        }

        /** Walks the responses; with {@code sawHead} (a HEAD answer has a length but no body) only the first. */
        void check(boolean sawHead) {
            String s = text.toString();
            int at = 0;
            while (at < s.length()) {
                int end = s.indexOf("\r\n\r\n", at);
                if (end < 0 || !(s.startsWith("HTTP/1.1 ", at) || s.startsWith("HTTP/1.0 ", at))) {
                    throw new AssertionError("not a whole response at " + at + ": "
                            + s.substring(at, Math.min(s.length(), at + 200)));
                }
                String head = s.substring(at, end).toLowerCase(java.util.Locale.ROOT);
                int status = Integer.parseInt(head.substring(9, 12));
                long length = 0;
                for (String line : head.split("\r\n")) {
                    if (line.startsWith("content-length:")) {
                        length = Long.parseLong(line.substring(15).trim());
                    }
                }
                at = end + 4;
                if (sawHead) {
                    return;
                }
                if (status >= 200 && status != 204 && status != 304) {
                    if (at + length > s.length()) {
                        throw new AssertionError("response body cut short: " + head);
                    }
                    at += (int) length;
                }
            }
        }
    }
}
