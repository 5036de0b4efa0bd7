package io.jcluster.http;

import static io.jcluster.http.Wire.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.cluster.ServerClosing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exact bytes on the wire for one connection, through the app's real pipeline on an EmbeddedChannel. */
class HttpWireTest {
    private static final String HELLO = "{\"message\":\"Hello from Express server\"}";
    private final List<Wire> wires = new ArrayList<>();

    private Wire wire(App app) {
        Wire w = new Wire(app);
        wires.add(w);
        return w;
    }

    @AfterEach
    void closeWires() {
        wires.forEach(Wire::close);
    }

    private static App hello() {
        App app = App.create();
        app.get("/", (req, res) -> res.json(Map.of("message", "Hello from Express server")));
        return app;
    }

    private static String json(int status, String reason, String body) {
        return "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "content-type: application/json; charset=utf-8\r\n"
                + "content-length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String jsonClose(int status, String reason, String body) {
        return "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "content-type: application/json; charset=utf-8\r\n"
                + "content-length: " + body.length() + "\r\n"
                + "connection: close\r\n\r\n" + body;
    }

    @Test
    void jsonResponseHeadersAndBodyAreExact() {
        Wire w = wire(hello());
        assertThat(w.exchange(get("/"))).isEqualTo(json(200, "OK", HELLO));
        assertThat(w.isOpen()).isTrue();
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() {
        Wire w = wire(hello());
        for (int i = 0; i < 3; i++) {
            assertThat(w.exchange(get("/"))).isEqualTo(json(200, "OK", HELLO));
        }
        assertThat(w.isOpen()).isTrue();
    }

    /** The head is written in front of the body, beside it, or in a buffer of its own: the bytes are the same. */
    @Test
    void headsAreExactWhateverTheBodyAndHeaders() {
        String big = "x".repeat(3000);
        String longValue = "v".repeat(300);
        App app = App.create();
        app.get("/big-json", (req, res) -> res.json(big));
        app.get("/big-bytes", (req, res) -> res.send(big.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        app.get("/long-header", (req, res) -> res.header("X-Long", longValue).json(Map.of("a", 1)));
        app.get("/chunked", (req, res) -> res.header("Transfer-Encoding", "chunked").send("abc"));
        app.get("/205", (req, res) -> res.status(205).send("dropped"));
        Wire w = wire(app);
        assertThat(w.exchange(get("/big-json"))).isEqualTo(json(200, "OK", "\"" + big + "\""));
        assertThat(w.exchange(get("/big-bytes"))).isEqualTo("HTTP/1.1 200 OK\r\n"
                + "content-type: application/octet-stream\r\ncontent-length: 3000\r\n\r\n" + big);
        assertThat(w.exchange(get("/long-header"))).isEqualTo("HTTP/1.1 200 OK\r\nX-Long: " + longValue + "\r\n"
                + "content-type: application/json; charset=utf-8\r\ncontent-length: 7\r\n\r\n{\"a\":1}");
        assertThat(w.exchange("HEAD /long-header HTTP/1.1\r\nHost: t\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK\r\nX-Long: "
                + longValue + "\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: 7\r\n\r\n");
        String bigJson = json(200, "OK", "\"" + big + "\"");
        assertThat(w.exchange("HEAD /big-json HTTP/1.1\r\nHost: t\r\n\r\n")).isEqualTo(bigJson.substring(0, bigJson.length() - 3002));
        // Chunked when asked, and then without Content-Length (RFC 9112 §6.2: never both); 205 without a body.
        assertThat(w.exchange(get("/chunked"))).isEqualTo("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                + "content-type: text/plain; charset=utf-8\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        assertThat(w.exchange(get("/205"))).isEqualTo("HTTP/1.1 205 Reset Content\r\n"
                + "content-type: text/plain; charset=utf-8\r\ncontent-length: 0\r\n\r\n");
        assertThat(w.exchange("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).isEqualTo("HTTP/1.0 404 Not Found\r\n"
                + "content-type: application/json; charset=utf-8\r\ncontent-length: 21\r\n"
                + "connection: keep-alive\r\n\r\n{\"error\":\"Not Found\"}");
        assertThat(w.isOpen()).isTrue();
    }

    @Test
    void connectionCloseIsHonoured() {
        Wire w = wire(hello());
        String out = w.exchange("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertThat(out).isEqualTo(jsonClose(200, "OK", HELLO));
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void http10ClosesUnlessKeepAliveIsAsked() {
        Wire w = wire(hello());
        String out = w.exchange("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(out).isEqualTo("HTTP/1.0 200 OK\r\ncontent-type: application/json; charset=utf-8\r\n"
                + "content-length: " + HELLO.length() + "\r\nconnection: keep-alive\r\n\r\n" + HELLO);
        assertThat(w.isOpen()).isTrue();

        out = w.exchange("GET / HTTP/1.0\r\n\r\n");
        assertThat(out).isEqualTo("HTTP/1.0 200 OK\r\ncontent-type: application/json; charset=utf-8\r\n"
                + "content-length: " + HELLO.length() + "\r\nconnection: close\r\n\r\n" + HELLO);
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderWithOneFlush() {
        App app = App.create();
        app.get("/:n", (req, res) -> res.send("r" + req.param("n")));
        Wire w = wire(app);
        int before = w.flushes.get();
        String out = w.exchange(get("/1") + get("/2") + get("/3"));
        String r = "HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 2\r\n\r\n";
        assertThat(out).isEqualTo(r + "r1" + r + "r2" + r + "r3");
        assertThat(w.flushes.get() - before).isEqualTo(1);
    }

    @Test
    void pipelinedRequestAfterConnectionCloseIsNotAnswered() {
        Wire w = wire(hello());
        String out = w.exchange("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" + get("/"));
        assertThat(out).isEqualTo(jsonClose(200, "OK", HELLO));
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void throwingHandlerGives500WithoutDetailsAndTheConnectionStaysUsable() {
        App app = hello();
        app.get("/boom", (req, res) -> {
            res.header("X-Partial", "1").type("text/html");
            throw new IllegalStateException("secret detail");
        });
        Wire w = wire(app);
        String out = w.exchange(get("/boom"));
        String body = "{\"error\":\"Internal Server Error\"}";
        assertThat(out).isEqualTo("HTTP/1.1 500 Internal Server Error\r\nX-Partial: 1\r\n"
                + "content-type: application/json; charset=utf-8\r\ncontent-length: " + body.length() + "\r\n\r\n" + body);
        assertThat(out).doesNotContain("secret").doesNotContain("Exception");
        assertThat(w.isOpen()).isTrue();
        assertThat(w.exchange(get("/"))).isEqualTo(json(200, "OK", HELLO));
    }

    @Test
    void unhandledErrorsAreLoggedWithTheirStackTraceThroughSlf4j() {
        App app = App.create();
        app.get("/boom", (req, res) -> {
            throw new IllegalStateException("secret detail");
        });
        Wire w = wire(app);
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        String out;
        try {
            // slf4j-simple writes to whatever System.err is at the time of the call
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            out = w.exchange(get("/boom"));
        } finally {
            System.setErr(original);
        }
        assertThat(out).startsWith("HTTP/1.1 500 ").doesNotContain("secret");
        assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("ERROR io.jcluster.http.App - GET /boom failed")
                .contains("java.lang.IllegalStateException: secret detail")
                .contains("at io.jcluster.http.HttpWireTest");
    }

    @Test
    void customErrorHandlerAnswersAndDefaultTakesOverWhenItFails() {
        App app = App.create();
        app.get("/teapot", (req, res) -> {
            throw new UnsupportedOperationException("tea");
        });
        app.get("/other", (req, res) -> {
            throw new IllegalArgumentException("x");
        });
        app.error((err, req, res) -> {
            if (err instanceof UnsupportedOperationException) {
                res.status(418).send("I'm a teapot: " + err.getMessage());
                return;
            }
            throw new IllegalStateException("error handler broke");
        });
        Wire w = wire(app);
        assertThat(w.exchange(get("/teapot"))).isEqualTo("HTTP/1.1 418 I'm a Teapot\r\n"
                + "content-type: text/plain; charset=utf-8\r\ncontent-length: 17\r\n\r\nI'm a teapot: tea");
        assertThat(w.exchange(get("/other"))).startsWith("HTTP/1.1 500 Internal Server Error\r\n")
                .endsWith("{\"error\":\"Internal Server Error\"}");
    }

    @Test
    void handlerThatSendsNothingIsAnError() {
        App app = App.create();
        app.get("/silent", (req, res) -> { });
        Wire w = wire(app);
        assertThat(w.exchange(get("/silent"))).startsWith("HTTP/1.1 500 ");
        assertThat(w.isOpen()).isTrue();
    }

    @Test
    void sendingTwiceThrowsAndTheFirstResponseStands() {
        AtomicReference<Throwable> second = new AtomicReference<>();
        App app = App.create();
        app.get("/", (req, res) -> {
            res.send("one");
            try {
                res.send("two");
            } catch (IllegalStateException e) {
                second.set(e);
            }
        });
        Wire w = wire(app);
        assertThat(w.exchange(get("/"))).endsWith("\r\n\r\none");
        assertThat(second.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("already sent");
    }

    @Test
    void notFoundAndMethodNotAllowedAndAutoOptions() {
        App app = hello();
        app.post("/", (req, res) -> res.end());
        Wire w = wire(app);
        assertThat(w.exchange(get("/nope"))).isEqualTo(json(404, "Not Found", "{\"error\":\"Not Found\"}"));
        String body = "{\"error\":\"Method Not Allowed\"}";
        assertThat(w.exchange("DELETE / HTTP/1.1\r\nHost: t\r\n\r\n")).isEqualTo("HTTP/1.1 405 Method Not Allowed\r\n"
                + "allow: GET, HEAD, POST\r\ncontent-type: application/json; charset=utf-8\r\n"
                + "content-length: " + body.length() + "\r\n\r\n" + body);
        assertThat(w.exchange("OPTIONS / HTTP/1.1\r\nHost: t\r\n\r\n"))
                .isEqualTo("HTTP/1.1 204 No Content\r\nallow: GET, HEAD, POST\r\n\r\n");
        assertThat(w.isOpen()).isTrue();
    }

    @Test
    void headIsServedByGetWithoutBody() {
        Wire w = wire(hello());
        assertThat(w.exchange("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK\r\n"
                + "content-type: application/json; charset=utf-8\r\ncontent-length: " + HELLO.length() + "\r\n\r\n");
        // the connection is still in sync: the next response is parsed from the right place
        assertThat(w.exchange(get("/"))).isEqualTo(json(200, "OK", HELLO));
    }

    @Test
    void requestAccessors() {
        App app = App.create();
        app.post("/items/:id", (req, res) -> res.json(Map.of(
                "method", req.method(),
                "path", req.path(),
                "id", req.param("id"),
                "q", req.query("q"),
                "tags", req.queries("tag"),
                "missing", String.valueOf(req.query("missing")),
                "header", req.header("x-CUSTOM"),
                "body", req.body())));
        Wire w = wire(app);
        String body = "héllo";
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        String out = w.exchange("POST /items/a%20b?q=x+y&tag=1&tag=2 HTTP/1.1\r\nHost: t\r\nX-Custom: v\r\n"
                + "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body);
        assertThat(out).contains("\"method\":\"POST\"", "\"path\":\"/items/a b\"", "\"id\":\"a b\"", "\"q\":\"x y\"",
                "\"tags\":[\"1\",\"2\"]", "\"missing\":\"null\"", "\"header\":\"v\"");
        // JSON is UTF-8 on the wire; read back as ISO-8859-1 the é shows as two chars
        assertThat(new String(out.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                java.nio.charset.StandardCharsets.UTF_8)).contains("\"body\":\"héllo\"");
    }

    @Test
    void absoluteFormTargetIsRoutedByItsPath() {
        App app = App.create();
        app.get("/users/:id", (req, res) -> res.send(req.param("id") + " " + req.query("x") + " " + req.path()));
        Wire w = wire(app);
        assertThat(w.exchange("GET http://example.com/users/5?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n"))
                .endsWith("\r\n\r\n5 1 /users/5");
    }

    @Test
    void paramAndWildcardValuesReachTheHandler() {
        App app = App.create();
        app.get("/files/*", (req, res) -> res.send("rest=" + req.param("*") + " id=" + req.param("id")));
        Wire w = wire(app);
        assertThat(w.exchange(get("/files/a/b%20c.txt"))).endsWith("\r\n\r\nrest=a/b c.txt id=null");
    }

    @Test
    void jsonBodyIsParsedAndMalformedJsonIs400() {
        record Item(String name, int qty) {
        }
        App app = App.create();
        app.post("/tree", (req, res) -> res.json(req.json().get("a")));
        app.post("/item", (req, res) -> {
            Item item = req.json(Item.class);
            res.status(201).json(new Item(item.name().toUpperCase(), item.qty() * 2));
        });
        Wire w = wire(app);
        assertThat(w.exchange(post("/tree", "{\"a\":[1,2]}"))).endsWith("\r\n\r\n[1,2]");
        assertThat(w.exchange(post("/item", "{\"name\":\"x\",\"qty\":2,\"unknown\":true}")))
                .isEqualTo(json(201, "Created", "{\"name\":\"X\",\"qty\":4}"));
        String bad = "{\"error\":\"Invalid JSON body\"}";
        assertThat(w.exchange(post("/tree", "{nope"))).isEqualTo(json(400, "Bad Request", bad));
        assertThat(w.exchange(post("/item", "{\"qty\":\"many\"}"))).isEqualTo(json(400, "Bad Request", bad));
        assertThat(w.exchange(post("/item", ""))).isEqualTo(json(400, "Bad Request", bad));
        assertThat(w.isOpen()).isTrue();
    }

    @Test
    void bodyInSeveralChunksAndChunkedTransferEncodingIsCollected() {
        App app = App.create();
        app.post("/echo", (req, res) -> res.send(req.bodyBytes()));
        Wire w = wire(app);
        w.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello");
        assertThat(w.read()).isEmpty();
        assertThat(w.exchange(" world")).isEqualTo("HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n"
                + "content-length: 11\r\n\r\nhello world");
        String out = w.exchange("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
        assertThat(out).endsWith("content-length: 7\r\n\r\nabcdefg");
    }

    @Test
    void expect100ContinueGetsAnInterimResponse() {
        App app = App.create();
        app.post("/echo", (req, res) -> res.send(req.body()));
        Wire w = wire(app);
        assertThat(w.exchange("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"))
                .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        assertThat(w.exchange("ok")).endsWith("\r\n\r\nok");
    }

    @Test
    void middlewareRunsInOrderCanShortCircuitAndSeesPrefixesSegmentWise() {
        List<String> seen = new ArrayList<>();
        App app = App.create();
        app.use((req, res, next) -> {
            seen.add("log");
            req.attribute("user", "ann");
            next.next();
            seen.add("after");
        });
        app.use("/api", (req, res, next) -> {
            seen.add("api");
            if (req.header("Authorization") == null) {
                res.status(401).json(Map.of("error", "Unauthorized"));
                return;
            }
            next.next();
        });
        app.get("/api/me", (req, res) -> res.send("me=" + req.attribute("user")));
        app.get("/apix", (req, res) -> res.send("apix"));
        Wire w = wire(app);

        assertThat(w.exchange(get("/api/me"))).startsWith("HTTP/1.1 401 Unauthorized\r\n");
        assertThat(seen).containsExactly("log", "api", "after");

        seen.clear();
        assertThat(w.exchange("GET /api/me HTTP/1.1\r\nHost: t\r\nAuthorization: x\r\n\r\n")).endsWith("\r\n\r\nme=ann");
        assertThat(seen).containsExactly("log", "api", "after");

        seen.clear();
        assertThat(w.exchange(get("/apix"))).endsWith("\r\n\r\napix");
        assertThat(seen).containsExactly("log", "after");

        seen.clear();
        assertThat(w.exchange(get("/missing"))).startsWith("HTTP/1.1 404 ");
        assertThat(seen).containsExactly("log", "after"); // a 404 is a sent response, not an exception
    }

    @Test
    void middlewareErrorsAndDoubleNextGoToTheErrorHandler() {
        App app = App.create();
        app.use("/twice", (req, res, next) -> {
            next.next();
            next.next();
        });
        app.use("/throw", (req, res, next) -> {
            throw new java.io.IOException("db down");
        });
        app.get("/twice", (req, res) -> res.send("once"));
        app.get("/throw", (req, res) -> res.send("never"));
        AtomicReference<Throwable> caught = new AtomicReference<>();
        app.error((err, req, res) -> {
            caught.set(err);
            res.status(503).send("sorry");
        });
        Wire w = wire(app);
        assertThat(w.exchange(get("/throw"))).startsWith("HTTP/1.1 503 ").endsWith("sorry");
        assertThat(caught.get()).hasMessage("db down");
        // the response was sent before the second next() failed: the client keeps the first answer
        assertThat(w.exchange(get("/twice"))).startsWith("HTTP/1.1 200 OK").endsWith("once");
        assertThat(w.isOpen()).isTrue();
    }

    @Test
    void httpExceptionFromAHandlerSetsTheStatus() {
        App app = App.create();
        app.get("/users/:id", (req, res) -> {
            throw new HttpException(404, "No user " + req.param("id"));
        });
        Wire w = wire(app);
        assertThat(w.exchange(get("/users/7"))).isEqualTo(json(404, "Not Found", "{\"error\":\"No user 7\"}"));
    }

    @Test
    void responseHeadersAreValidatedAgainstInjection() {
        App app = App.create();
        app.get("/", (req, res) -> res.header("X-Evil", "a\r\nSet-Cookie: x=1").send("never"));
        Wire w = wire(app);
        String out = w.exchange(get("/"));
        assertThat(out).startsWith("HTTP/1.1 500 ").doesNotContain("Set-Cookie");
    }

    // --- limits ---

    @Test
    void tooLargeDeclaredBodyIs413AndCloses() {
        Wire w = wire(hello());
        String out = w.exchange("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + (HttpOptions.DEFAULT_MAX_BODY_SIZE + 1) + "\r\n\r\n");
        assertThat(out).isEqualTo(jsonClose(413, "Payload Too Large", "{\"error\":\"Payload Too Large\"}"));
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void tooLargeChunkedBodyIs413AndCloses() {
        App app = App.create(new HttpOptions().maxBodySize(5));
        app.post("/", (req, res) -> res.send(req.body()));
        Wire w = wire(app);
        assertThat(w.exchange(post("/", "12345"))).endsWith("\r\n\r\n12345");
        String out = w.exchange("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
        assertThat(out).isEqualTo(jsonClose(413, "Payload Too Large", "{\"error\":\"Payload Too Large\"}"));
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void tooLongRequestLineIs414AndCloses() {
        Wire w = wire(hello());
        String out = w.exchange(get("/" + "a".repeat(HttpOptions.DEFAULT_MAX_REQUEST_LINE)));
        assertThat(out).isEqualTo(jsonClose(414, "URI Too Long", "{\"error\":\"URI Too Long\"}"));
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void requestLineJustUnderTheLimitIsServed() {
        Wire w = wire(hello());
        // "GET /aaa... HTTP/1.1" of exactly 8 KiB
        String path = "/" + "a".repeat(HttpOptions.DEFAULT_MAX_REQUEST_LINE - "GET / HTTP/1.1".length());
        assertThat(w.exchange(get(path))).startsWith("HTTP/1.1 404 ");
    }

    @Test
    void tooLargeHeadersAre431AndClose() {
        Wire w = wire(hello());
        String out = w.exchange("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(HttpOptions.DEFAULT_MAX_HEADER_SIZE) + "\r\n\r\n");
        assertThat(out).isEqualTo(jsonClose(431, "Request Header Fields Too Large",
                "{\"error\":\"Request Header Fields Too Large\"}"));
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void malformedRequestIs400AndCloses() {
        Wire w = wire(hello());
        String out = w.exchange("GET / HTTP/1.1\r\nHost: t\r\nBad Header Name: x\r\n\r\n");
        assertThat(out).isEqualTo(jsonClose(400, "Bad Request", "{\"error\":\"Bad Request\"}"));
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void malformedChunkIs400AndCloses() {
        App app = App.create();
        app.post("/", (req, res) -> res.send(req.body()));
        Wire w = wire(app);
        String out = w.exchange("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n");
        assertThat(out).isEqualTo(jsonClose(400, "Bad Request", "{\"error\":\"Bad Request\"}"));
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void malformedPercentEncodingIs400ButKeepsTheConnection() {
        Wire w = wire(hello());
        assertThat(w.exchange(get("/bad%zz"))).isEqualTo(json(400, "Bad Request", "{\"error\":\"Malformed URL\"}"));
        assertThat(w.isOpen()).isTrue();
    }

    // --- timeouts ---

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheTimeout() {
        Wire w = wire(hello());
        assertThat(w.exchange(get("/"))).startsWith("HTTP/1.1 200 OK");
        w.advance(HttpOptions.DEFAULT_KEEP_ALIVE_TIMEOUT.toMillis() - 10);
        assertThat(w.isOpen()).isTrue();
        w.advance(10);
        assertThat(w.isOpen()).isFalse();
        assertThat(w.read()).isEmpty();
    }

    @Test
    void eachRequestRestartsTheIdleTimeout() {
        Wire w = wire(hello());
        for (int i = 0; i < 4; i++) {
            w.advance(4000);
            assertThat(w.exchange(get("/"))).startsWith("HTTP/1.1 200 OK");
        }
        w.advance(4000);
        assertThat(w.isOpen()).isTrue();
        w.advance(1000);
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void unfinishedRequestHeadersGet408AndClose() {
        Wire w = wire(hello());
        assertThat(w.exchange(get("/"))).startsWith("HTTP/1.1 200 OK");
        w.send("GET / HTTP/1.1\r\nHost: x\r\n");
        w.advance(HttpOptions.DEFAULT_HEADERS_TIMEOUT.toMillis() - 10);
        assertThat(w.isOpen()).isTrue();
        w.advance(10);
        assertThat(w.read()).isEqualTo(jsonClose(408, "Request Timeout", "{\"error\":\"Request Timeout\"}"));
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void slowlorisSendingAByteASecondIsCutOff() {
        Wire w = wire(hello());
        String request = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + "z".repeat(100);
        int sent = 0;
        while (w.isOpen() && sent < request.length()) {
            w.send(request.substring(sent, sent + 1));
            sent++;
            w.advance(1000);
        }
        assertThat(w.isOpen()).isFalse();
        assertThat(sent).isEqualTo(10);
        assertThat(w.read()).startsWith("HTTP/1.1 408 Request Timeout\r\n");
    }

    @Test
    void slowBodyIsCutOffByTheRequestTimeout() {
        App app = App.create(new HttpOptions().requestTimeout(Duration.ofSeconds(3)));
        app.post("/", (req, res) -> res.send(req.body()));
        Wire w = wire(app);
        w.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nx");
        w.advance(2000);
        w.send("y");
        assertThat(w.isOpen()).isTrue();
        w.advance(1000);
        assertThat(w.read()).startsWith("HTTP/1.1 408 Request Timeout\r\n");
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void connectionThatSendsNothingIsClosedAfterTheHeadersTimeout() {
        Wire w = wire(hello());
        w.advance(HttpOptions.DEFAULT_HEADERS_TIMEOUT.toMillis() - 10);
        assertThat(w.isOpen()).isTrue();
        w.advance(10);
        assertThat(w.isOpen()).isFalse();
        assertThat(w.read()).isEmpty();
    }

    @Test
    void timeoutsCanBeDisabled() {
        App app = App.create(new HttpOptions().keepAliveTimeout(Duration.ZERO).headersTimeout(Duration.ZERO));
        app.get("/", (req, res) -> res.end());
        Wire w = wire(app);
        w.advance(60_000);
        assertThat(w.exchange(get("/"))).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        w.advance(600_000);
        assertThat(w.isOpen()).isTrue();
    }

    @Test
    void aMajorVersionOtherThanOneIsRefusedWith505() {
        Wire w = wire(hello());
        assertThat(w.exchange("GET / HTTP/2.0\r\n\r\n")).startsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n")
                .contains("connection: close");
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void anUnknownMinorVersionIsAnsweredAsHttp11() {
        Wire w = wire(hello());
        assertThat(w.exchange("GET / HTTP/1.7\r\nHost: t\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n");
    }

    @Test
    void aMalformedQueryStringIsA400NotA500() {
        App app = App.create();
        app.get("/", (req, res) -> res.send(String.valueOf(req.query("x"))));
        Wire w = wire(app);
        assertThat(w.exchange(get("/?x=%ZZ"))).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(w.exchange(get("/?x=ok"))).as("the connection is still usable").endsWith("\r\n\r\nok");
    }

    // --- graceful close ---

    @Test
    void serverClosingClosesAnIdleKeepAliveConnectionAfterAShortGrace() {
        Wire w = wire(hello());
        assertThat(w.exchange(get("/"))).startsWith("HTTP/1.1 200 OK");
        w.ch.pipeline().fireUserEventTriggered(ServerClosing.INSTANCE);
        w.advance(999);
        assertThat(w.isOpen()).as("within the grace").isTrue();
        w.advance(1);
        assertThat(w.isOpen()).isFalse();
        assertThat(w.read()).isEmpty();
    }

    @Test
    void serverClosingAnswersTheNextRequestOfAnIdleKeepAliveConnectionWithConnectionClose() {
        Wire w = wire(hello());
        assertThat(w.exchange(get("/"))).startsWith("HTTP/1.1 200 OK");
        w.ch.pipeline().fireUserEventTriggered(ServerClosing.INSTANCE);
        w.advance(300);
        assertThat(w.exchange(get("/"))).startsWith("HTTP/1.1 200 OK").contains("connection: close");
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void serverClosingLetsANewConnectionSendItsFirstRequest() {
        // The primary handed this connection over just before the worker began draining: its request is on its
        // way, and closing now would reset the client.
        Wire w = wire(hello());
        w.ch.pipeline().fireUserEventTriggered(ServerClosing.INSTANCE);
        w.advance(5_000);
        assertThat(w.isOpen()).isTrue();
        assertThat(w.exchange(get("/"))).startsWith("HTTP/1.1 200 OK").contains("connection: close");
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void serverClosingClosesANewConnectionThatSendsNothingAtTheHeadersTimeout() {
        Wire w = wire(hello());
        w.ch.pipeline().fireUserEventTriggered(ServerClosing.INSTANCE);
        w.advance(10_000);
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void serverClosingLetsAPartlyReceivedRequestFinishWithConnectionClose() {
        App app = App.create();
        app.post("/", (req, res) -> res.send(req.body()));
        Wire w = wire(app);
        w.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab");
        w.ch.pipeline().fireUserEventTriggered(ServerClosing.INSTANCE);
        assertThat(w.isOpen()).isTrue();
        assertThat(w.exchange("cd")).isEqualTo("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\n"
                + "content-length: 4\r\nconnection: close\r\n\r\nabcd");
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void serverClosingDuringTheHandlerAnswersWithConnectionCloseAndDropsLaterPipelinedRequests() {
        AtomicReference<Wire> self = new AtomicReference<>();
        App app = App.create();
        app.get("/drain", (req, res) -> {
            self.get().ch.pipeline().fireUserEventTriggered(ServerClosing.INSTANCE);
            res.send("bye");
        });
        Wire w = wire(app);
        self.set(w);
        String out = w.exchange(get("/drain") + get("/drain"));
        assertThat(out).isEqualTo("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\n"
                + "content-length: 3\r\nconnection: close\r\n\r\nbye");
        assertThat(w.isOpen()).isFalse();
    }

    @Test
    void serverClosingAfterTheResponseWasSentClosesAfterIt() {
        AtomicReference<Wire> self = new AtomicReference<>();
        App app = App.create();
        app.get("/", (req, res) -> {
            res.send("sent");
            self.get().ch.pipeline().fireUserEventTriggered(ServerClosing.INSTANCE);
        });
        Wire w = wire(app);
        self.set(w);
        assertThat(w.exchange(get("/"))).endsWith("\r\n\r\nsent");
        assertThat(w.isOpen()).isFalse();
    }

    private static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }
}
