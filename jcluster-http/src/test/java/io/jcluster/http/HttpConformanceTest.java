package io.jcluster.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 9112's message-framing rules, one row each: the raw request sent on a new connection of a real server,
 * the answers it must get in order, and whether the connection stays open after them. Every answer is also
 * checked for what every response must be: one Date (IMF-fixdate), never both Content-Length and
 * Transfer-Encoding, HTTP/1.1 (or 1.0 to a 1.0 request), and {@code connection: close} before a close.
 *
 * <p>Expected answers: {@code "200"}, {@code "200:abc"} (status and body), {@code "HEAD 200"} (the answer to a
 * HEAD request: no body), separated by {@code " | "} for pipelined requests.
 */
class HttpConformanceTest {
    private static App app;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        app = App.create();
        app.get("/", (req, res) -> res.send("hello"));
        app.post("/echo", (req, res) -> res.send(req.body()));
        app.get("/chunked", (req, res) -> res.header("Transfer-Encoding", "chunked").send("abc"));
        app.get("/n/:n", (req, res) -> res.send(req.param("n")));
        app.get("/x-a", (req, res) -> res.send("[" + req.header("X-A") + "]"));
        app.get("/empty", (req, res) -> res.status(204).end());
        InetSocketAddress a = app.listen("127.0.0.1", 0).get();
        port = a.getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        app.close().get();
    }

    enum Then { OPEN, CLOSED }

    record Row(String rfc, String what, String request, String expected, Then then) {
        @Override
        public String toString() {
            return "§" + rfc + " " + what;
        }
    }

    private static Row row(String rfc, String what, String request, String expected, Then then) {
        return new Row(rfc, what, request, expected, then);
    }

    private static final String H = "Host: a\r\n";
    private static final Then OPEN = Then.OPEN;
    private static final Then CLOSED = Then.CLOSED;

    static Stream<Row> rows() {
        return Stream.of(
                // --- §2.2, §3: the request line ---
                row("3", "a plain request", "GET / HTTP/1.1\r\n" + H + "\r\n", "200:hello", OPEN),
                row("2.2", "empty lines before the request line are ignored", "\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n", "200:hello", OPEN),
                row("2.2", "bare LF as line terminator is refused (strict: the RFC allows either)", "GET / HTTP/1.1\n" + H.replace("\r", "") + "\n", "400", CLOSED),
                row("3", "an absolute-form target is routed by its path", "GET http://a/n/7 HTTP/1.1\r\n" + H + "\r\n", "200:7", OPEN),
                row("3", "a target with a space is refused", "GET /a b HTTP/1.1\r\n" + H + "\r\n", "400", CLOSED),
                row("3", "an HTTP/0.9 request line is refused", "GET /\r\n\r\n", "400", CLOSED),
                row("2.3", "a lower-case version is read as HTTP (lenient, same framing)", "GET / http/1.1\r\n" + H + "\r\n", "200:hello", OPEN),
                row("2.3", "HTTP/2.0 in an HTTP/1 request line gets 505", "GET / HTTP/2.0\r\n" + H + "\r\n", "505", CLOSED),
                row("2.3", "an unknown minor version is answered in HTTP/1.1", "GET / HTTP/1.7\r\n" + H + "\r\n", "200:hello", OPEN),
                row("3", "a request line over 8 KiB gets 414", "GET /" + "a".repeat(9000) + " HTTP/1.1\r\n" + H + "\r\n", "414", CLOSED),
                row("3", "an unknown method gets 405 or 404, not a framing error", "BREW / HTTP/1.1\r\n" + H + "\r\n", "405", OPEN),
                // --- §3.2: Host ---
                row("3.2", "HTTP/1.1 without Host gets 400", "GET / HTTP/1.1\r\n\r\n", "400", CLOSED),
                row("3.2", "two Host header fields get 400", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400", CLOSED),
                row("3.2", "two Host header fields in HTTP/1.0 get 400", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", "400", CLOSED),
                row("3.2", "an invalid Host value gets 400", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", "400", CLOSED),
                row("3.2", "an empty Host is allowed", "GET / HTTP/1.1\r\nHost:\r\n\r\n", "200:hello", OPEN),
                row("3.2", "Host with a port and an IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "200:hello", OPEN),
                row("3.2", "HTTP/1.0 without Host is served", "GET / HTTP/1.0\r\n\r\n", "200:hello", CLOSED),
                // --- §5: header fields ---
                row("5.1", "whitespace between a field name and its colon gets 400", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", "400", CLOSED),
                row("5.1", "a header line without a colon gets 400", "GET / HTTP/1.1\r\n" + H + "nocolon\r\n\r\n", "400", CLOSED),
                row("5.1", "a field name with a space gets 400", "GET / HTTP/1.1\r\n" + H + "Bad Name: x\r\n\r\n", "400", CLOSED),
                row("5.2", "obs-fold (a continuation line) is replaced by a space (reject or replace)", "GET /x-a HTTP/1.1\r\n" + H + "X-A: a\r\n b\r\n\r\n", "200:[a b]", OPEN),
                row("5.5", "a NUL in a field value gets 400", "GET / HTTP/1.1\r\n" + H + "X-A: a\0b\r\n\r\n", "400", CLOSED),
                row("2.2", "a bare CR in a field value gets 400", "GET /x-a HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n", "400", CLOSED),
                row("5", "header fields over 16 KiB get 431", "GET / HTTP/1.1\r\n" + H + "X-Big: " + "b".repeat(17_000) + "\r\n\r\n", "431", CLOSED),
                row("5.5", "leading and trailing whitespace of a value is not part of it", "GET / HTTP/1.1\r\nHost: \t a \t\r\n\r\n", "200:hello", OPEN),
                // --- §6.3: Content-Length ---
                row("6.3", "Content-Length frames the body", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 3\r\n\r\nabc", "200:abc", OPEN),
                row("6.3", "a Content-Length list of equal values gets 400", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 3, 3\r\n\r\nabc", "400", CLOSED),
                row("6.3", "two differing Content-Length fields get 400", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "400", CLOSED),
                row("6.3", "two equal Content-Length fields get 400", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", "400", CLOSED),
                row("6.3", "a negative Content-Length gets 400", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n", "400", CLOSED),
                row("6.3", "a Content-Length with a sign gets 400", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: +3\r\n\r\nabc", "400", CLOSED),
                row("6.3", "a hexadecimal Content-Length gets 400", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 0x3\r\n\r\nabc", "400", CLOSED),
                row("6.3", "a Content-Length over the body limit gets 413", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 99999999999\r\n\r\n", "413", CLOSED),
                row("6.3", "no Content-Length and no Transfer-Encoding: no body", "POST /echo HTTP/1.1\r\n" + H + "\r\n", "200:", OPEN),
                // --- §6.1, §6.3: Transfer-Encoding (smuggling) ---
                row("7.1", "chunked frames the body", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "200:abc", OPEN),
                row("6.1", "the chunked coding name is case-insensitive", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "200:abc", OPEN),
                row("6.3", "Transfer-Encoding with Content-Length gets 400", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                row("6.3", "Content-Length with Transfer-Encoding gets 400", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 8\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                row("6.1", "Transfer-Encoding in HTTP/1.0 gets 400", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                row("6.3", "chunked not final gets 400", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                row("6.3", "a coding without chunked gets 400", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\nabc", "400", CLOSED),
                row("6.3", "chunked then identity in two fields gets 400", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                row("6.1", "chunked twice gets 400", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                row("6.1", "an unknown coding before chunked gets 501", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "501", CLOSED),
                row("6.1", "a look-alike coding name gets 400", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                row("5.1", "Transfer-Encoding with a space before the colon gets 400", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding : chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                // --- §7.1: chunks, extensions, trailers ---
                row("7.1.1", "chunk extensions are ignored", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3;a=1;b=\"x\"\r\nabc\r\n0;z\r\n\r\n", "200:abc", OPEN),
                row("7.1.2", "trailer fields are accepted", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n", "200:abc", OPEN),
                row("7.1", "upper-case hex chunk sizes", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", "200:0123456789", OPEN),
                row("7.1", "a chunk size that is not hex gets 400", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                row("7.1", "an overflowing chunk size gets 400", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                row("7.1", "chunk data longer than its size gets 400", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", "400", CLOSED),
                // --- §9.3: pipelining; HEAD; 1xx ---
                row("9.3.2", "pipelined requests are answered in order", "GET /n/1 HTTP/1.1\r\n" + H + "\r\nPOST /echo HTTP/1.1\r\n" + H
                        + "Content-Length: 1\r\n\r\n2GET /n/3 HTTP/1.1\r\n" + H + "\r\n", "200:1 | 200:2 | 200:3", OPEN),
                row("9.3", "HEAD gets the GET head and no body", "HEAD / HTTP/1.1\r\n" + H + "\r\n", "HEAD 200", OPEN),
                row("6.2", "HEAD of a chunked response, then a pipelined GET, parse cleanly", "HEAD /chunked HTTP/1.1\r\n" + H
                        + "\r\nGET /chunked HTTP/1.1\r\n" + H + "\r\nGET / HTTP/1.1\r\n" + H + "\r\n", "HEAD 200 | 200:abc | 200:hello", OPEN),
                row("6.3", "204 has no body and no framing headers", "GET /empty HTTP/1.1\r\n" + H + "\r\n", "204", OPEN),
                row("9.3", "an Expect other than 100-continue gets 417", "POST /echo HTTP/1.1\r\n" + H + "Expect: teapot\r\nContent-Length: 1\r\n\r\nx", "417", CLOSED),
                row("9.3", "100-continue, then the final answer", "POST /echo HTTP/1.1\r\n" + H + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\nok", "100 | 200:ok", OPEN),
                row("9.3", "100-continue to HTTP/1.7 is HTTP/1.1 100", "POST /echo HTTP/1.7\r\n" + H + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\nok", "100 | 200:ok", OPEN),
                row("9.3", "no 100 Continue to HTTP/1.0", "POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok", "200:ok", CLOSED),
                // --- §9.3, §9.6: Connection ---
                row("9.3", "HTTP/1.1 is persistent by default", "GET / HTTP/1.1\r\n" + H + "\r\n", "200", OPEN),
                row("9.6", "HTTP/1.1 Connection: close closes after the answer", "GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n", "200:hello", CLOSED),
                row("9.6", "a request pipelined after Connection: close is not answered", "GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n", "200:hello", CLOSED),
                row("9.3", "HTTP/1.0 closes by default", "GET / HTTP/1.0\r\n\r\n", "200", CLOSED),
                row("9.3", "HTTP/1.0 with keep-alive stays open", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "200:hello", OPEN),
                row("9.3", "Connection is a list: close among other options", "GET / HTTP/1.1\r\n" + H + "Connection: x-other, close\r\n\r\n", "200", CLOSED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void answers(Row row) throws Exception {
        try (RawClient c = new RawClient(port)) {
            c.send(row.request());
            boolean http10 = row.request().contains("HTTP/1.0\r\n");
            RawClient.Answer last = null;
            for (String expected : row.expected().split(" \\| ")) {
                boolean head = expected.startsWith("HEAD ");
                String e = head ? expected.substring(5) : expected;
                int colon = e.indexOf(':');
                int status = Integer.parseInt(colon < 0 ? e : e.substring(0, colon));
                RawClient.Answer a = c.read(head);
                assertThat(a.status()).as("status of %s in %s", expected, a.raw()).isEqualTo(status);
                if (colon >= 0) {
                    assertThat(a.body()).as(a.raw()).isEqualTo(e.substring(colon + 1));
                }
                checkEveryResponse(a, http10);
                last = a;
            }
            if (row.then() == Then.OPEN) {
                c.send("GET /n/next HTTP/1.1\r\n" + H + "\r\n");
                assertThat(c.read().body()).as("the connection is still usable and in step").isEqualTo("next");
            } else {
                assertThat(last.header("connection")).as(last.raw()).isEqualToIgnoringCase("close");
                assertThat(c.closedByServer()).as("closed by the server").isTrue();
            }
        }
    }

    /** What every response must be. */
    static void checkEveryResponse(RawClient.Answer a, boolean http10) {
        // HTTP/1.0 to a 1.0 client; a refusal is HTTP/1.1 to all (RFC 9110 §2.5 allows both to a 1.0 client).
        assertThat(a.head()).matches(http10 ? "(?s)HTTP/1\\.[01] .*" : "(?s)HTTP/1\\.1 .*");
        if (a.status() < 200) {
            assertThat(a.head()).isEqualTo("HTTP/1.1 100 Continue");
            return;
        }
        List<String> dates = a.headers("date");
        assertThat(dates).as("one Date in %s", a.raw()).hasSize(1);
        assertThat("date: " + dates.get(0) + "\r\n").matches(Wire.DATE_LINE);
        assertThat(a.header("content-length") != null && a.header("transfer-encoding") != null)
                .as("Content-Length and Transfer-Encoding in %s", a.raw()).isFalse();
        if (a.status() == 204 || a.status() == 304) {
            assertThat(a.header("content-length")).isNull();
            assertThat(a.header("transfer-encoding")).isNull();
        }
        assertThat(a.head().toLowerCase(Locale.ROOT)).doesNotContain("\r\n\r\n");
    }
}
