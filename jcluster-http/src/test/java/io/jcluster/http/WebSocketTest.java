package io.jcluster.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket.Listener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link App#ws} on real sockets, standalone (no cluster), against the JDK's own WebSocket client
 * ({@code java.net.http.WebSocket}, RFC 6455): upgrade, text and binary, ping/pong, the closing handshake both
 * ways, the frame and message limits, the idle timeout, a slow reader and the server's own close.
 */
class WebSocketTest {
    private static final long WAIT = 30;
    private final List<App> apps = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @AfterEach
    void closeApps() throws Exception {
        for (App app : apps) {
            app.close().get(WAIT, TimeUnit.SECONDS);
        }
    }

    private InetSocketAddress listen(App app) throws Exception {
        apps.add(app);
        return app.listen("127.0.0.1", 0).get(WAIT, TimeUnit.SECONDS);
    }

    /** What the client saw, in order: "text:…", "binary:N", "pong:…", "close:CODE:REASON", "error:…". */
    private static final class Client implements Listener {
        final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final boolean reads;

        Client(boolean reads) {
            this.reads = reads;
        }

        @Override
        public void onOpen(java.net.http.WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                seen.add("text:" + text);
                text.setLength(0);
            }
            if (reads) {
                ws.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(java.net.http.WebSocket ws, ByteBuffer data, boolean last) {
            seen.add("binary:" + data.remaining());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(java.net.http.WebSocket ws, ByteBuffer message) {
            seen.add("pong:" + StandardCharsets.UTF_8.decode(message));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(java.net.http.WebSocket ws, int statusCode, String reason) {
            seen.add("close:" + statusCode + ":" + reason);
            return null;
        }

        @Override
        public void onError(java.net.http.WebSocket ws, Throwable error) {
            seen.add("error:" + error);
        }

        String next() throws InterruptedException {
            String s = seen.poll(WAIT, TimeUnit.SECONDS);
            assertThat(s).as("an event within " + WAIT + " s").isNotNull();
            return s;
        }
    }

    private java.net.http.WebSocket connect(InetSocketAddress at, String path, Client c) throws Exception {
        return client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + at.getPort() + path), c)
                .get(WAIT, TimeUnit.SECONDS);
    }

    private static App echo(WebSocketOptions o, BlockingQueue<String> serverSaw) {
        App app = App.create();
        app.get("/plain", (req, res) -> res.send("plain"));
        app.ws("/echo", o, ws -> {
            serverSaw.add("open:" + ws.uri() + ":" + ws.header("X-Room") + ":" + ws.remoteAddress().getAddress().getHostAddress());
            ws.onText(t -> {
                if (t.equals("close-please")) {
                    ws.close(4001, "as you wish");
                } else {
                    ws.send("echo " + t);
                }
            });
            ws.onBinary(b -> ws.send(new byte[b.length * 2]));
            ws.onClose((code, reason) -> serverSaw.add("closed:" + code + ":" + reason));
        });
        return app;
    }

    @Test
    void upgradesAndEchoesTextAndBinaryAndAnswersPings() throws Exception {
        BlockingQueue<String> server = new LinkedBlockingQueue<>();
        InetSocketAddress at = listen(echo(new WebSocketOptions(), server));
        Client c = new Client(true);
        java.net.http.WebSocket ws = client.newWebSocketBuilder().header("X-Room", "blue")
                .buildAsync(URI.create("ws://127.0.0.1:" + at.getPort() + "/echo?name=ann"), c).get(WAIT, TimeUnit.SECONDS);
        assertThat(server.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("open:/echo?name=ann:blue:127.0.0.1");
        ws.sendText("héllo", true).get(WAIT, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("text:echo héllo");
        ws.sendBinary(ByteBuffer.wrap(new byte[1000]), true).get(WAIT, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("binary:2000");
        ws.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(WAIT, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("pong:are you there");
        ws.sendText("frag", false).get(WAIT, TimeUnit.SECONDS); // a message in fragments arrives joined
        ws.sendText("mented", true).get(WAIT, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("text:echo fragmented");

        ws.sendClose(4000, "bye").get(WAIT, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("close:4000:");
        assertThat(server.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("closed:4000:bye");
    }

    @Test
    void theServerClosesWithItsCodeAndOrdinaryRequestsStillWork() throws Exception {
        BlockingQueue<String> server = new LinkedBlockingQueue<>();
        InetSocketAddress at = listen(echo(new WebSocketOptions(), server));
        Client c = new Client(true);
        java.net.http.WebSocket ws = connect(at, "/echo", c);
        ws.sendText("close-please", true).get(WAIT, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("close:4001:as you wish"); // the JDK's client answers the close by itself
        server.poll(WAIT, TimeUnit.SECONDS); // open
        assertThat(server.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("closed:4001:as you wish");

        HttpResponse<String> plain = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/plain"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.body()).isEqualTo("plain");
        HttpResponse<String> noUpgrade = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/echo"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noUpgrade.statusCode()).isEqualTo(404);
    }

    @Test
    void aFrameOrAMessageOverTheLimitClosesWith1009() throws Exception {
        BlockingQueue<String> server = new LinkedBlockingQueue<>();
        InetSocketAddress at = listen(echo(new WebSocketOptions().maxFrameSize(64).maxMessageSize(100), server));
        Client big = new Client(true);
        java.net.http.WebSocket ws = connect(at, "/echo", big);
        ws.sendText("x".repeat(65), true);
        assertThat(big.next()).startsWith("close:1009:");

        Client pieces = new Client(true);
        java.net.http.WebSocket ws2 = connect(at, "/echo", pieces);
        ws2.sendText("y".repeat(60), false).get(WAIT, TimeUnit.SECONDS);
        ws2.sendText("y".repeat(60), true);
        assertThat(pieces.next()).isEqualTo("close:1009:message larger than 100 bytes");
    }

    @Test
    void aSilentClientIsClosedAtTheIdleTimeout() throws Exception {
        BlockingQueue<String> server = new LinkedBlockingQueue<>();
        InetSocketAddress at = listen(echo(new WebSocketOptions().idleTimeout(Duration.ofMillis(300)), server));
        Client c = new Client(true);
        connect(at, "/echo", c);
        assertThat(c.next()).isEqualTo("close:1001:idle timeout");
    }

    @Test
    void closingTheAppClosesItsWebSocketsWith1001() throws Exception {
        BlockingQueue<String> server = new LinkedBlockingQueue<>();
        App app = echo(new WebSocketOptions(), server);
        InetSocketAddress at = app.listen("127.0.0.1", 0).get(WAIT, TimeUnit.SECONDS);
        Client c = new Client(true);
        connect(at, "/echo", c);
        server.poll(WAIT, TimeUnit.SECONDS); // open
        CompletableFuture<Void> closed = app.close();
        assertThat(c.next()).isEqualTo("close:1001:server closing");
        closed.get(WAIT, TimeUnit.SECONDS);
        assertThat(server.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("closed:1001:server closing");
    }

    @Test
    void aClientThatDoesNotReadIsClosedInsteadOfBufferedFor() throws Exception {
        BlockingQueue<Boolean> sent = new LinkedBlockingQueue<>();
        BlockingQueue<String> server = new LinkedBlockingQueue<>();
        App app = App.create();
        app.ws("/flood", new WebSocketOptions().maxBufferedBytes(256 * 1024).closeTimeout(Duration.ofMillis(200)), ws -> {
            ws.onClose((code, reason) -> server.add("closed:" + code));
            String chunk = "z".repeat(64 * 1024);
            new Thread(() -> { // another thread than the loop: send() may be called from anywhere
                for (int i = 0; i < 4000; i++) { // at most 256 MB: far more than any socket buffer
                    if (!ws.send(chunk)) {
                        sent.add(false);
                        return;
                    }
                }
                sent.add(true);
            }).start();
        });
        InetSocketAddress at = listen(app);
        connect(at, "/flood", new Client(false));
        assertThat(sent.poll(WAIT, TimeUnit.SECONDS)).isFalse();
        assertThat(server.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("closed:1008");
    }

    @Test
    void badPathsAndDuplicatesAreRefusedAtRegistration() {
        App app = App.create();
        app.ws("/chat", ws -> { });
        assertThatThrownBy(() -> app.ws("/chat", ws -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/chat");
        assertThatThrownBy(() -> app.ws("chat", ws -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> app.ws("/rooms/:id", ws -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WebSocketOptions().maxFrameSize(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
