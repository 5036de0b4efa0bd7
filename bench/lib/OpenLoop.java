/*
 * OpenLoop — latency at a fixed request rate (open loop, as wrk2 does), for bench/run.sh.
 *
 * Closed-loop wrk sends a connection's next request only when the previous answer arrived, so a server
 * that stalls gets fewer requests and its queueing never shows. Here request i is due at t0 + i/RATE,
 * whatever the server does; the due requests are handed round-robin to CONNECTIONS keep-alive
 * connections, each sending its next one as soon as both it is due and the previous answer arrived (no
 * pipelining). Latency runs from the moment a request was DUE to its answer's last byte, so a request
 * that waited behind a slow one counts its wait (no coordinated omission).
 *
 * Usage: java -cp jcluster.jar:CLASSES OpenLoop PORT RATE CONNECTIONS SECONDS [WARMUP_SECONDS]
 * Prints one line: rate=… sent=… answered=… unanswered=… errors=… achieved=… p50_ms=… p90_ms=… p99_ms=… p999_ms=…
 * max_ms=… (requests due in the warm-up are sent but not timed; unanswered: still queued or in flight 5 s after the
 * schedule ended; errors: lost with a connection the server closed; achieved: timed answers per second of the
 * measured part; reconnects: connections re-opened after the server closed them on purpose, below). A server that
 * answers with `Connection: close` (Tomcat, Spring Boot's server, does so on every 100th request of a keep-alive
 * connection by default) gets nothing more on that connection: it is re-opened and its queue goes on there, the wait
 * counting in the queued requests' latency, as a browser or wrk would. Exit status 2 for bad arguments.
 */

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

public final class OpenLoop {

    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private OpenLoop() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: OpenLoop PORT RATE CONNECTIONS SECONDS [WARMUP_SECONDS]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        double rate = Double.parseDouble(args[1]);
        int connections = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        double warmup = args.length > 4 ? Double.parseDouble(args[4]) : 0;
        if (rate <= 0 || connections <= 0 || seconds <= 0 || warmup < 0) {
            System.err.println("OpenLoop: RATE, CONNECTIONS and SECONDS must be positive");
            System.exit(2);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            run(group, port, rate, connections, seconds, warmup);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void run(EventLoopGroup group, int port, double rate, int connections, double seconds,
            double warmup) throws Exception {
        EventLoop loop = group.next();
        long total = (long) Math.ceil(rate * (warmup + seconds));
        long counted = (long) Math.floor(rate * warmup);
        long[] latencies = new long[(int) Math.min(Integer.MAX_VALUE - 8, total - counted)];
        AtomicLong answered = new AtomicLong();
        int[] recorded = {0};   // latencies recorded so far, shared by the connections (all on one event loop)
        AtomicLong errors = new AtomicLong();
        AtomicLong reconnects = new AtomicLong();
        List<Conn> conns = new ArrayList<>();
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true);
        for (int i = 0; i < connections; i++) {
            Conn conn = new Conn(latencies, recorded, counted, answered, errors);
            conn.reopen = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel c) {
                    c.pipeline().addLast(conn);
                }
            }).remoteAddress("127.0.0.1", port);
            conn.reconnects = reconnects;
            conn.channel = conn.reopen.connect().sync().channel();
            conns.add(conn);
        }
        long t0 = System.nanoTime();
        double interval = 1e9 / rate;
        long[] next = {0};
        // Every 200 µs (or as soon as the loop gets to it) hand out every request due by now.
        var tick = loop.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            while (next[0] < total) {
                long due = t0 + (long) (next[0] * interval);
                if (due > now) {
                    break;
                }
                conns.get((int) (next[0] % conns.size())).enqueue(next[0], due);
                next[0]++;
            }
        }, 0, 200, TimeUnit.MICROSECONDS);
        long end = t0 + (long) ((warmup + seconds) * 1e9);
        // Wait for the schedule to finish, then up to 5 s more for the last answers.
        while (System.nanoTime() < end) {
            Thread.sleep(50);
        }
        long drain = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < drain && conns.stream().anyMatch(Conn::busy)
                && conns.stream().allMatch(c -> c.channel.isActive() || c.reconnecting)) {
            Thread.sleep(20);
        }
        tick.cancel(false);
        // The final count on the event loop itself, where every send and answer happens: nothing moves meanwhile.
        long[] counts = loop.submit(() -> {
            long sent = 0;
            long unanswered = 0;
            for (Conn c : conns) {
                sent += c.sent;
                unanswered += c.pending.size() + (c.inflight ? 1 : 0);
                c.pending.clear();
                c.closing = true;
                c.channel.close();
            }
            return new long[] {sent, answered.get(), unanswered, recorded[0]};
        }).get();
        long[] sorted = Arrays.copyOf(latencies, (int) counts[3]);
        Arrays.sort(sorted);
        double elapsed = Math.max(1e-9, seconds);
        System.out.printf(java.util.Locale.ROOT,
                "rate=%.0f sent=%d answered=%d unanswered=%d errors=%d achieved=%.0f p50_ms=%s p90_ms=%s p99_ms=%s p999_ms=%s max_ms=%s"
                        + " reconnects=%d%n",
                rate, counts[0], counts[1], counts[2], errors.get(), sorted.length / elapsed, pct(sorted, 0.50), pct(sorted, 0.90),
                pct(sorted, 0.99), pct(sorted, 0.999), sorted.length == 0 ? "NaN" : ms(sorted[sorted.length - 1]),
                reconnects.get());
    }

    private static String pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return "NaN";
        }
        return ms(sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
    }

    private static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6);
    }

    /**
     * One keep-alive connection: a queue of due requests, one in flight, answers counted by their bytes. Re-opened
     * (the same handler on the new channel: one channel at a time) when the server announced that it closes it.
     */
    @ChannelHandler.Sharable
    private static final class Conn extends ChannelInboundHandlerAdapter {
        private final long[] latencies;
        private final int[] recorded;
        private final AtomicLong errors;
        private final long counted;
        private final AtomicLong answered;
        final ArrayDeque<long[]> pending = new ArrayDeque<>();   // {index, due}
        Channel channel;
        Bootstrap reopen;
        AtomicLong reconnects;
        boolean reconnecting;   // the server said Connection: close: nothing is sent until the new channel is up
        private boolean serverCloses;
        boolean closing;
        boolean inflight;
        long inflightIndex;
        long inflightDue;
        long sent;
        private final ByteBuf request = Unpooled.unreleasableBuffer(Unpooled.directBuffer(REQUEST.length).writeBytes(REQUEST));
        // response parsing: the head up to CRLFCRLF, then content-length bytes of body
        private final StringBuilder head = new StringBuilder();
        private long bodyLeft = -1;

        Conn(long[] latencies, int[] recorded, long counted, AtomicLong answered, AtomicLong errors) {
            this.errors = errors;
            this.latencies = latencies;
            this.recorded = recorded;
            this.counted = counted;
            this.answered = answered;
        }

        boolean busy() {
            return inflight || !pending.isEmpty();
        }

        void enqueue(long index, long due) {
            pending.add(new long[] {index, due});
            if (!inflight) {
                sendNext();
            }
        }

        private void sendNext() {
            if (reconnecting) {
                return;
            }
            long[] r = pending.poll();
            if (r == null || !channel.isActive()) {
                return;
            }
            inflight = true;
            inflightIndex = r[0];
            inflightDue = r[1];
            sent++;
            channel.writeAndFlush(request.retainedDuplicate(), channel.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                while (buf.isReadable()) {
                    if (bodyLeft < 0) {
                        head.append((char) buf.readByte());
                        int len = head.length();
                        if (len >= 4 && head.charAt(len - 1) == '\n' && head.charAt(len - 2) == '\r'
                                && head.charAt(len - 3) == '\n' && head.charAt(len - 4) == '\r') {
                            String h = head.toString().toLowerCase(java.util.Locale.ROOT);
                            bodyLeft = contentLength(h);
                            serverCloses = h.contains("\nconnection: close");
                            head.setLength(0);
                        }
                    } else {
                        int skip = (int) Math.min(bodyLeft, buf.readableBytes());
                        buf.skipBytes(skip);
                        bodyLeft -= skip;
                    }
                    if (bodyLeft == 0) {
                        bodyLeft = -1;
                        answer();
                    }
                }
            } finally {
                buf.release();
            }
        }

        private void answer() {
            long now = System.nanoTime();
            answered.incrementAndGet();
            if (inflightIndex >= counted && recorded[0] < latencies.length) {
                latencies[recorded[0]++] = now - inflightDue;
            }
            inflight = false;
            if (serverCloses) {   // the server closes this connection now: go on on a new one
                serverCloses = false;
                reconnecting = true;
                return;
            }
            sendNext();
        }

        private static long contentLength(String h) {   // h: the head, lower case
            int i = h.indexOf("\ncontent-length:");
            if (i < 0) {
                return 0;
            }
            int j = h.indexOf('\r', i);
            return Long.parseLong(h.substring(i + "\ncontent-length:".length(), j).trim());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (reconnecting && !closing) {
                reconnects.incrementAndGet();
                reopen.connect().addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {   // the server is gone: what was queued fails
                        System.err.println("OpenLoop: reconnect failed: " + f.cause());
                        reconnecting = false;
                        errors.addAndGet(pending.size());
                        pending.clear();
                        return;
                    }
                    channel = f.channel();
                    reconnecting = false;
                    sendNext();
                });
                return;
            }
            if (!closing) {   // the server closed a keep-alive connection: its queued requests fail
                errors.addAndGet(pending.size() + (inflight ? 1 : 0));
                pending.clear();
                inflight = false;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.err.println("OpenLoop: connection failed: " + cause);
            ctx.close();
        }
    }
}
