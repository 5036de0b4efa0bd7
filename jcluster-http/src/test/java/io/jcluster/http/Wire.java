package io.jcluster.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An app's pipeline on an EmbeddedChannel, with raw bytes in and out and a frozen clock. */
final class Wire implements AutoCloseable {
    final EmbeddedChannel ch;
    final AtomicInteger flushes = new AtomicInteger();

    Wire(App app) {
        ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) throws Exception {
                flushes.incrementAndGet();
                super.flush(ctx);
            }
        });
        ch.pipeline().addLast(app.initializer());
    }

    /** Writes {@code raw} (ISO-8859-1) as one inbound read. */
    Wire send(String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        return this;
    }

    Wire send(byte[] raw) {
        ch.writeInbound(Unpooled.wrappedBuffer(raw));
        return this;
    }

    /** An IMF-fixdate Date line as the server writes it (RFC 9110 §5.6.7). */
    static final java.util.regex.Pattern DATE_LINE = java.util.regex.Pattern.compile(
            "(?i)date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} "
                    + "\\d{2}:\\d{2}:\\d{2} GMT\r\n");

    /**
     * Everything written to the client so far (and not read before), as ISO-8859-1 text, without the Date
     * lines (their value changes every second; {@link #readRaw} keeps them).
     */
    String read() {
        return DATE_LINE.matcher(readRaw()).replaceAll("");
    }

    /** Everything written to the client so far (and not read before), as ISO-8859-1 text. */
    String readRaw() {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    /** Sends {@code raw} and returns what was written back. */
    String exchange(String raw) {
        send(raw);
        return read();
    }

    /** Moves the channel's clock and runs the timers that became due. */
    Wire advance(long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
        return this;
    }

    boolean isOpen() {
        ch.runPendingTasks();
        return ch.isOpen();
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }

    @Override
    public void close() {
        ch.finishAndReleaseAll();
    }
}
