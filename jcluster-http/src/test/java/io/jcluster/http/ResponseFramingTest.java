package io.jcluster.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a response says about itself, over a real socket: the Date header on every response, framing headers
 * (never both Content-Length and Transfer-Encoding; nothing after a HEAD response), the version of 100
 * Continue, and the status range a handler may set.
 */
class ResponseFramingTest {
    private static final String H = "Host: a\r\n";
    private static App app;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        app = App.create();
        app.get("/", (req, res) -> res.json(Map.of("message", "hello")));
        app.get("/chunked", (req, res) -> res.header("Transfer-Encoding", "chunked").send("abc"));
        app.get("/chunked-empty", (req, res) -> res.header("Transfer-Encoding", "chunked").end());
        app.get("/chunked-204", (req, res) -> res.header("Transfer-Encoding", "chunked").status(204).end());
        app.get("/length-and-chunked", (req, res) -> res.header("Content-Length", "3")
                .header("Transfer-Encoding", "chunked").send("abcdef"));
        app.get("/fail", (req, res) -> {
            throw new IllegalStateException("boom");
        });
        app.get("/status/:code", (req, res) -> res.status(Integer.parseInt(req.param("code"))).send("s"));
        app.get("/own-date", (req, res) -> res.header("Date", "Sun, 06 Nov 1994 08:49:37 GMT").send("d"));
        app.post("/echo", (req, res) -> res.send(req.body()));
        InetSocketAddress a = app.listen("127.0.0.1", 0).get();
        port = a.getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        app.close().get();
    }

    private static RawClient.Answer exchange(String raw, boolean head) throws Exception {
        try (RawClient c = new RawClient(port)) {
            return c.send(raw).read(head);
        }
    }

    // --- 1. Date ---

    @Test
    void dateIsFormattedOncePerSecondAsAnImfFixdate() {
        // RFC 9110 §5.6.7's own example
        assertThat(new String(HttpDate.format(784111777L).line(), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("date: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
        assertThat(new String(HttpDate.format(0L).line(), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
        // Within one second every response gets the very same bytes: formatted once, not per response.
        for (int attempt = 0; attempt < 5; attempt++) {
            HttpDate.Second first = HttpDate.now();
            byte[] a = HttpDate.line();
            byte[] b = HttpDate.line();
            if (HttpDate.now().epochSecond() == first.epochSecond()) {
                assertThat(a).isSameAs(b).isSameAs(first.line());
                return;
            }
        }
        throw new AssertionError("the second changed at every attempt");
    }

    @Test
    void everyResponseHasOneDateOfNowSuccessesErrorsAndRefusals() throws Exception {
        List<String> requests = List.of(
                "GET / HTTP/1.1\r\n" + H + "\r\n",                        // 200, our fast path
                "GET /nowhere HTTP/1.1\r\n" + H + "\r\n",                 // 404 from the router
                "GET /fail HTTP/1.1\r\n" + H + "\r\n",                    // 500 from the error handler
                "GET /chunked HTTP/1.1\r\n" + H + "\r\n",                 // user headers, chunked
                "GET / HTTP/1.0\r\n\r\n",                                 // HTTP/1.0
                "GET / HTTP/1.1\r\n\r\n",                                 // 400 refusal (no Host)
                "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 99999999\r\n\r\n"); // 413 refusal
        for (String r : requests) {
            RawClient.Answer a = exchange(r, false);
            assertThat(a.headers("date")).as(a.raw()).hasSize(1);
            ZonedDateTime date = ZonedDateTime.parse(a.header("date"), DateTimeFormatter.RFC_1123_DATE_TIME);
            assertThat(Math.abs(date.toEpochSecond() - System.currentTimeMillis() / 1000)).as(a.raw()).isLessThan(5);
        }
    }

    @Test
    void aDateSetByTheHandlerReplacesTheServers() throws Exception {
        RawClient.Answer a = exchange("GET /own-date HTTP/1.1\r\n" + H + "\r\n", false);
        assertThat(a.headers("date")).containsExactly("Sun, 06 Nov 1994 08:49:37 GMT");
    }

    // --- 2. framing headers, HEAD ---

    @Test
    void chunkedResponsesHaveNoContentLengthAndHttp10GetsALength() throws Exception {
        RawClient.Answer a = exchange("GET /length-and-chunked HTTP/1.1\r\n" + H + "\r\n", false);
        assertThat(a.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(a.header("content-length")).isNull();
        assertThat(a.raw()).endsWith("\r\n\r\n6\r\nabcdef\r\n0\r\n\r\n");

        a = exchange("GET /chunked-empty HTTP/1.1\r\n" + H + "\r\n", false);
        assertThat(a.raw()).endsWith("\r\n\r\n0\r\n\r\n");

        // RFC 9112 §6.1: no Transfer-Encoding to an HTTP/1.0 client
        a = exchange("GET /chunked HTTP/1.0\r\n\r\n", false);
        assertThat(a.header("transfer-encoding")).isNull();
        assertThat(a.raw()).contains("content-length: 3\r\n").endsWith("\r\n\r\nabc");

        // nor in a 204, which has no content and no framing headers at all
        a = exchange("GET /chunked-204 HTTP/1.1\r\n" + H + "\r\n", false);
        assertThat(a.header("transfer-encoding")).isNull();
        assertThat(a.header("content-length")).isNull();
    }

    @Test
    void headOfAChunkedRouteThenAPipelinedGetParseCleanly() throws Exception {
        try (RawClient c = new RawClient(port)) {
            c.send("HEAD /chunked HTTP/1.1\r\n" + H + "\r\nGET / HTTP/1.1\r\n" + H + "\r\nHEAD / HTTP/1.1\r\n" + H
                    + "\r\nGET /chunked HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n");
            RawClient.Answer head = c.read(true);
            assertThat(head.raw()).startsWith("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n")
                    .endsWith("\r\n\r\n").doesNotContain("content-length");
            RawClient.Answer get = c.read();
            assertThat(get.raw()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n{\"message\":\"hello\"}");
            RawClient.Answer head2 = c.read(true);
            assertThat(head2.header("content-length")).isEqualTo("19");
            RawClient.Answer chunked = c.read();
            assertThat(chunked.body()).isEqualTo("abc");
            assertThat(c.closedByServer()).as("nothing after the last response").isTrue();
        }
    }

    // --- 4. 100 Continue ---

    @Test
    void continueIsInHttp11WhateverTheRequestsMinorVersion() throws Exception {
        try (RawClient c = new RawClient(port)) {
            c.send("POST /echo HTTP/1.7\r\n" + H + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n");
            assertThat(c.read().raw()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            c.send("ok");
            RawClient.Answer a = c.read();
            assertThat(a.raw()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok");
        }
    }

    // --- 5. status range ---

    @Test
    void statusOutside200To599IsRefusedWithAClearMessage() {
        Response res = new Response(null, null, null);
        assertThatThrownBy(() -> res.status(600)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("100-599").hasMessageContaining("600");
        assertThatThrownBy(() -> res.status(99)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("100-599");
        assertThatThrownBy(() -> res.status(999)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> res.status(100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("interim");
        assertThat(res.status(599).status()).isEqualTo(599);
        assertThat(res.status(200).status()).isEqualTo(200);
        assertThatThrownBy(() -> res.header("Transfer-Encoding", "gzip")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunked");
    }

    @Test
    void aHandlerSettingAStatusOutsideTheRangeGets500() throws Exception {
        assertThat(exchange("GET /status/600 HTTP/1.1\r\n" + H + "\r\n", false).status()).isEqualTo(500);
        assertThat(exchange("GET /status/101 HTTP/1.1\r\n" + H + "\r\n", false).status()).isEqualTo(500);
        assertThat(exchange("GET /status/599 HTTP/1.1\r\n" + H + "\r\n", false).raw()).startsWith("HTTP/1.1 599 ");
    }
}
