package io.jcluster.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that do not play along, over real sockets: a client that stops reading is closed and counted (the
 * write timeout, the cap on buffered response bytes, the cap on pipelined responses), one that reads slowly is
 * not; a client still uploading after a refusal reads the refusal, not a reset.
 */
class SlowClientTest {
    private static final String H = "Host: a\r\n";
    private final List<App> apps = new ArrayList<>();

    private int serve(HttpOptions options) throws Exception {
        App app = App.create(options);
        byte[] big = new byte[256 * 1024];
        app.get("/big", (req, res) -> res.send(big));
        app.get("/", (req, res) -> res.send("hello"));
        app.post("/upload", (req, res) -> res.send("got " + req.bodyBytes().length));
        apps.add(app);
        InetSocketAddress a = app.listen("127.0.0.1", 0).get();
        return a.getPort();
    }

    @AfterEach
    void stop() throws Exception {
        for (App app : apps) {
            app.close().get();
        }
    }

    private static String pipelined(int n, String path) {
        return ("GET " + path + " HTTP/1.1\r\n" + H + "\r\n").repeat(n);
    }

    /** Reads until the end of the stream or a reset; false if the server still holds it open after 30 s. */
    private static boolean drainsToClose(RawClient c) throws IOException {
        c.socket.setSoTimeout(30_000);
        InputStream in = c.in;
        byte[] buf = new byte[64 * 1024];
        try {
            while (in.read(buf) >= 0) {
                // discard
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedAfterTheWriteTimeoutAndCounted() throws Exception {
        int port = serve(new HttpOptions().writeTimeout(Duration.ofSeconds(1)));
        App app = apps.get(0);
        try (RawClient c = new RawClient(port, 4096)) {
            c.send(pipelined(64, "/big")); // 16 MiB of responses, far more than the socket buffers hold
            await().atMost(Duration.ofSeconds(30)).until(() -> app.stats().slowReadersClosed() == 1);
            assertThat(drainsToClose(c)).isTrue();
        }
    }

    @Test
    void aClientThatReadsSlowlyButSteadilyIsNotClosed() throws Exception {
        int port = serve(new HttpOptions().writeTimeout(Duration.ofSeconds(2)));
        App app = apps.get(0);
        try (RawClient c = new RawClient(port, 4096)) {
            c.send(pipelined(4, "/big") + "GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n");
            InputStream in = c.in;
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                total += n;
                Thread.sleep(10); // about 6 MB/s at most: slow, never stalled for the write timeout
            }
            assertThat(total).isGreaterThan(4L * 256 * 1024);
        }
        assertThat(app.stats().slowReadersClosed()).isZero();
    }

    @Test
    void tooManyBufferedResponseBytesCloseTheConnectionAtOnce() throws Exception {
        // No write timeout: only the byte cap can close it.
        int port = serve(new HttpOptions().writeTimeout(Duration.ZERO).maxBufferedResponseBytes(512 * 1024)
                .maxPipelined(10_000));
        App app = apps.get(0);
        try (RawClient c = new RawClient(port, 4096)) {
            c.send(pipelined(64, "/big"));
            await().atMost(Duration.ofSeconds(30)).until(() -> app.stats().slowReadersClosed() == 1);
            assertThat(drainsToClose(c)).isTrue();
        }
    }

    @Test
    void tooManyPipelinedResponsesWaitingCloseTheConnectionAtOnce() throws Exception {
        int port = serve(new HttpOptions().writeTimeout(Duration.ZERO).maxBufferedResponseBytes(Integer.MAX_VALUE)
                .maxPipelined(4));
        App app = apps.get(0);
        try (RawClient c = new RawClient(port, 4096)) {
            c.send(pipelined(64, "/big"));
            await().atMost(Duration.ofSeconds(30)).until(() -> app.stats().slowReadersClosed() == 1);
            assertThat(drainsToClose(c)).isTrue();
        }
    }

    @Test
    void manyPipelinedSmallRequestsFromAReadingClientAreAllAnswered() throws Exception {
        // Thousands of small pipelined requests in one read make more response bytes than the high-water mark:
        // the writer flushes as it goes, so a client that reads is not taken for a slow reader.
        int port = serve(new HttpOptions().maxPipelined(4));
        App app = apps.get(0);
        try (RawClient c = new RawClient(port)) {
            c.send(pipelined(3000, "/") + "GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n");
            for (int i = 0; i < 3001; i++) {
                assertThat(c.read().body()).isEqualTo("hello");
            }
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(app.stats().slowReadersClosed()).isZero();
    }

    // --- 7. lingering after a refusal ---

    @Test
    void aClientStillUploadingAfter413ReadsThe413() throws Exception {
        int port = serve(new HttpOptions().maxBodySize(1024));
        App app = apps.get(0);
        for (int round = 0; round < 5; round++) {
            try (RawClient c = new RawClient(port)) {
                // The head announces 200 KiB; the client sends it all without waiting, as curl and browsers do.
                OutputStream out = c.socket.getOutputStream();
                out.write(("POST /upload HTTP/1.1\r\n" + H + "Content-Length: 204800\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                byte[] chunk = new byte[8192];
                try {
                    for (int sent = 0; sent < 204800; sent += chunk.length) {
                        out.write(chunk);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new AssertionError("the server reset the upload instead of draining it", e);
                }
                RawClient.Answer a = c.read();
                assertThat(a.status()).isEqualTo(413);
                assertThat(a.header("connection")).isEqualTo("close");
                assertThat(c.closedByServer()).isTrue();
            }
        }
        assertThat(app.stats().refusals()).isEqualTo(5);
    }

    @Test
    void aRefusedClientThatKeepsSendingIsClosedAfterTheLingerLimit() throws Exception {
        int port = serve(new HttpOptions().maxBodySize(10).lingerTimeout(Duration.ofMillis(500)).maxLingerBytes(1024));
        try (RawClient c = new RawClient(port)) {
            c.send("POST /upload HTTP/1.1\r\n" + H + "Content-Length: 100000\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(413);
            assertThat(c.closedByServer()).as("our side half-closed: end of stream after the answer").isTrue();
            // Still sending after the end of the stream: the server stops reading after the limits and closes, and
            // a later write fails.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            boolean failed = false;
            while (!failed && System.nanoTime() < deadline) {
                try {
                    c.send(new byte[512]);
                    Thread.sleep(20);
                } catch (IOException e) {
                    failed = true;
                }
            }
            assertThat(failed).as("the server closed the lingering connection").isTrue();
        }
    }
}
