package io.jcluster.admin;

import io.jcluster.supervise.ClusterEvents;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code GET /api/events}: Server-Sent Events. A client first gets {@code retry: 2000} and the events kept
 * ({@link ClusterEvents#RING}), then each new one as {@code event: TYPE} and {@code data: JSON}, and a comment every
 * {@value #KEEPALIVE_SECONDS} s so that proxies and dead peers show up. Publishing never waits for a client: a
 * client whose socket buffer is full (over the channel's high water mark: it does not read) is closed, and its
 * browser reconnects and gets the recent events again.
 */
final class EventStream {
    static final int KEEPALIVE_SECONDS = 15;
    static final String RETRY = "retry: 2000\n\n";

    private EventStream() {
    }

    /** The SSE frame of one event. */
    static String frame(ClusterEvents.Event e) {
        return "event: " + e.type() + "\ndata: " + e.json() + "\n\n";
    }

    /** Answers {@code ctx}'s request with the stream; the channel stays open for it until either side closes. */
    static void open(ChannelHandlerContext ctx, ClusterEvents events) {
        Channel ch = ctx.channel();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set("X-Accel-Buffering", "no");
        ctx.write(head);
        Consumer<ClusterEvents.Event> client = e -> send(ch, frame(e));
        // On the event loop: the kept events go out before any new one (those are written by tasks queued after this).
        StringBuilder first = new StringBuilder(RETRY);
        List<ClusterEvents.Event> kept = events.subscribe(client);
        kept.forEach(e -> first.append(frame(e)));
        ctx.writeAndFlush(chunk(first.toString()));
        ScheduledFuture<?> keepalive = ch.eventLoop().scheduleAtFixedRate(() -> send(ch, ": keepalive\n\n"),
                KEEPALIVE_SECONDS, KEEPALIVE_SECONDS, TimeUnit.SECONDS);
        ch.closeFuture().addListener(f -> {
            events.unsubscribe(client);
            keepalive.cancel(false);
        });
    }

    /** Writes {@code text} to {@code ch} unless it cannot keep up (then closes it); never waits. */
    private static void send(Channel ch, String text) {
        if (!ch.isActive()) {
            return;
        }
        if (!ch.isWritable()) {
            ch.close(); // a slow reader is dropped rather than buffered without bound
            return;
        }
        ch.writeAndFlush(chunk(text)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private static DefaultHttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    }
}
