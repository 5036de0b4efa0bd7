package io.jcluster.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jcluster.supervise.ClusterEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The routes on an {@link EmbeddedChannel}: status codes, bodies, headers, the token rules. */
class AdminHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A cluster whose answers the test sets. */
    static final class FakeCluster implements AdminSource {
        int listening = 2;
        boolean stopping;
        final ClusterEvents events = new ClusterEvents();
        final List<String> calls = new ArrayList<>();

        @Override
        public JsonNode status() {
            return JsonNodeFactory.instance.objectNode().put("name", "web");
        }

        @Override
        public int listening() {
            return listening;
        }

        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public ClusterEvents events() {
            return events;
        }

        @Override
        public JsonNode reload() {
            calls.add("reload");
            return JsonNodeFactory.instance.objectNode().put("replaced", 2);
        }

        @Override
        public JsonNode scale(String count) {
            calls.add("scale " + count);
            if (count.equals("99")) {
                throw new IllegalStateException("refusing to scale web from 2 to 99");
            }
            return JsonNodeFactory.instance.objectNode().put("to", Integer.parseInt(count.replace("+", "")));
        }
    }

    private final FakeCluster cluster = new FakeCluster();
    private final PrometheusRegistry registry = new PrometheusRegistry();

    AdminHandlerTest() {
        Counter.builder().name("test_requests_total").help("requests").register(registry).inc(3);
    }

    private EmbeddedChannel channel(String token, int minReady) {
        return new EmbeddedChannel(new AdminHandler(cluster, registry, ExpositionFormats.init(),
                new StaticFiles(getClass().getClassLoader()), token, minReady, Runnable::run));
    }

    private static FullHttpResponse exchange(EmbeddedChannel ch, HttpMethod m, String uri, String body, String... headers) {
        ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, uri, content);
        for (int i = 0; i < headers.length; i += 2) {
            req.headers().set(headers[i], headers[i + 1]);
        }
        ch.writeInbound(req);
        FullHttpResponse r = ch.readOutbound();
        assertThat(r).as("a response to %s %s", m, uri).isNotNull();
        assertThat(r.headers().names()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
        return r;
    }

    private static FullHttpResponse get(EmbeddedChannel ch, String uri, String... headers) {
        return exchange(ch, HttpMethod.GET, uri, null, headers);
    }

    private static JsonNode body(FullHttpResponse r) throws Exception {
        try {
            return JSON.readTree(r.content().toString(StandardCharsets.UTF_8));
        } finally {
            r.release();
        }
    }

    @Test
    void healthAndReadiness() throws Exception {
        EmbeddedChannel ch = channel(null, 2);
        FullHttpResponse h = get(ch, "/healthz");
        assertThat(h.status().code()).isEqualTo(200);
        assertThat(body(h).get("status").asText()).isEqualTo("ok");
        assertThat(get(ch, "/readyz").status().code()).isEqualTo(200);
        cluster.listening = 1;
        FullHttpResponse notReady = get(ch, "/readyz");
        assertThat(notReady.status().code()).isEqualTo(503);
        assertThat(body(notReady).get("minReady").asInt()).isEqualTo(2);
        assertThat(get(ch, "/healthz").status().code()).isEqualTo(200);
        cluster.listening = 2;
        cluster.stopping = true;
        FullHttpResponse stopping = get(ch, "/readyz");
        assertThat(stopping.status().code()).isEqualTo(503);
        assertThat(body(stopping).get("status").asText()).isEqualTo("stopping");
        cluster.listening = 0;
        assertThat(get(ch, "/healthz").status().code()).isEqualTo(503);
    }

    @Test
    void statusAdminAndMetrics() throws Exception {
        EmbeddedChannel ch = channel(null, 1);
        FullHttpResponse s = get(ch, "/api/status");
        assertThat(s.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(body(s).get("name").asText()).isEqualTo("web");
        assertThat(body(get(ch, "/api/admin")).get("mutations").asBoolean()).isFalse();
        FullHttpResponse text = get(ch, "/metrics");
        assertThat(text.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/plain; version=0.0.4");
        assertThat(text.content().toString(StandardCharsets.UTF_8)).contains("test_requests_total 3.0");
        FullHttpResponse om = get(ch, "/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
        assertThat(om.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("application/openmetrics-text");
        assertThat(om.content().toString(StandardCharsets.UTF_8)).contains("# EOF");
    }

    @Test
    void mutationsNeedTheToken() throws Exception {
        EmbeddedChannel readOnly = channel(null, 1);
        assertThat(exchange(readOnly, HttpMethod.POST, "/api/reload", null, "Authorization", "Bearer x").status().code())
                .isEqualTo(403);
        EmbeddedChannel ch = channel("s3cret", 1);
        assertThat(body(get(ch, "/api/admin")).get("mutations").asBoolean()).isTrue();
        FullHttpResponse missing = exchange(ch, HttpMethod.POST, "/api/reload", null);
        assertThat(missing.status().code()).isEqualTo(401);
        assertThat(missing.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).startsWith("Bearer");
        assertThat(exchange(ch, HttpMethod.POST, "/api/reload", null, "Authorization", "Bearer wrong").status().code())
                .isEqualTo(401);
        assertThat(exchange(ch, HttpMethod.POST, "/api/reload", null, "Authorization", "s3cret").status().code())
                .isEqualTo(401);
        assertThat(cluster.calls).isEmpty();
        FullHttpResponse ok = exchange(ch, HttpMethod.POST, "/api/reload", null, "Authorization", "Bearer s3cret");
        assertThat(ok.status().code()).isEqualTo(200);
        assertThat(body(ok).get("replaced").asInt()).isEqualTo(2);
        FullHttpResponse scaled = exchange(ch, HttpMethod.POST, "/api/scale", "{\"count\":3}", "Authorization", "Bearer s3cret");
        assertThat(body(scaled).get("to").asInt()).isEqualTo(3);
        exchange(ch, HttpMethod.POST, "/api/scale", "{\"count\":\"+1\"}", "Authorization", "Bearer s3cret").release();
        assertThat(cluster.calls).containsExactly("reload", "scale 3", "scale +1");
        assertThat(exchange(ch, HttpMethod.POST, "/api/scale", "{\"n\":3}", "Authorization", "Bearer s3cret").status().code())
                .isEqualTo(400);
        assertThat(exchange(ch, HttpMethod.POST, "/api/scale", "nonsense", "Authorization", "Bearer s3cret").status().code())
                .isEqualTo(400);
        FullHttpResponse refused = exchange(ch, HttpMethod.POST, "/api/scale", "{\"count\":99}", "Authorization", "Bearer s3cret");
        assertThat(refused.status().code()).isEqualTo(409);
        assertThat(body(refused).get("error").asText()).contains("refusing to scale");
    }

    @Test
    void methodsAreChecked() {
        EmbeddedChannel ch = channel("t", 1);
        FullHttpResponse r = get(ch, "/api/reload", "Authorization", "Bearer t");
        assertThat(r.status().code()).isEqualTo(405);
        assertThat(r.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("POST");
        assertThat(exchange(ch, HttpMethod.POST, "/healthz", null).status().code()).isEqualTo(405);
        assertThat(exchange(ch, HttpMethod.DELETE, "/api/status", null).status().code()).isEqualTo(405);
    }

    @Test
    void staticFilesWithTheirTypesAndNoWayOut() {
        EmbeddedChannel ch = channel(null, 1);
        FullHttpResponse page = get(ch, "/");
        assertThat(page.status().code()).isEqualTo(200);
        assertThat(page.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/html; charset=utf-8");
        FullHttpResponse js = get(ch, "/assets/uplot/uPlot.iife.min.js");
        assertThat(js.status().code()).isEqualTo(200);
        assertThat(js.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/javascript; charset=utf-8");
        assertThat(get(ch, "/assets/uplot/uPlot.min.css").headers().get(HttpHeaderNames.CONTENT_TYPE))
                .isEqualTo("text/css; charset=utf-8");
        for (String bad : List.of("/assets/../../../META-INF/MANIFEST.MF", "/assets/uplot/../package.json",
                "/assets/%2e%2e/AdminServer.class", "/assets/uplot/", "/assets//etc/passwd", "/nope",
                "/assets/.hidden", "/io/jcluster/admin/AdminServer.class")) {
            assertThat(get(ch, bad).status().code()).as(bad).isEqualTo(404);
        }
    }

    @Test
    void theEventStreamSendsRetryAndTheKeptEventsThenNewOnes() {
        cluster.events.message("scale", "before");
        EmbeddedChannel ch = channel(null, 1);
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/events"));
        HttpResponse head = ch.readOutbound();
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/event-stream");
        HttpContent first = ch.readOutbound();
        String text = first.content().toString(StandardCharsets.UTF_8);
        first.release();
        assertThat(text).startsWith("retry: 2000\n\n").contains("event: scale\ndata: {\"type\":\"scale\"").endsWith("\n\n");
        cluster.events.message("stopping", "SIGTERM received");
        ch.runPendingTasks();
        HttpContent next = ch.readOutbound();
        assertThat(next.content().toString(StandardCharsets.UTF_8)).startsWith("event: stopping\ndata: ").endsWith("\n\n");
        next.release();
        ch.close();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aClientThatCannotKeepUpIsClosedAndThePublisherNeverWaits() {
        EmbeddedChannel ch = channel(null, 1);
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/events"));
        drain(ch);
        // its socket buffer is full: the channel reports itself unwritable
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        assertThat(ch.isWritable()).isFalse();
        cluster.events.message("scale", "one more");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("the slow client was closed").isFalse();
        cluster.events.message("scale", "and another"); // unsubscribed: nothing to write, nothing thrown
        assertThat(cluster.events.recent()).hasSize(2);
    }

    private static void drain(EmbeddedChannel ch) {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(o);
        }
    }
}
