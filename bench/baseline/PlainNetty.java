/*
 * PlainNetty — the bar for bench/run.sh: one JVM, N Netty epoll event loops, no clustering.
 *
 * Serves {"message":"Hello from worker <pid>"} for any request over HTTP/1.1, honouring keep-alive
 * and "Connection: close". Everything that does not depend on the request is built once: the body is
 * a read-only, unreleasable direct buffer that every response duplicates, header values are
 * pre-encoded AsciiStrings, header validation is off. Like Node and jcluster it sends a Date header, formatted
 * at most once a second, so that every contender sends the same headers. Responses are written in channelRead and flushed
 * once per read batch in channelReadComplete, so pipelined or back-to-back requests share a syscall.
 *
 * Modes (third argument, optional):
 *   shared (default)  one group of N loops and one listen socket; the loop that owns the listen socket
 *                     accepts, and accepted channels are registered round-robin on the N loops (the
 *                     textbook ServerBootstrap).
 *   reuseport         N single-loop groups, each with its own SO_REUSEPORT listen socket on the same
 *                     port: the kernel spreads new connections over the loops, each loop accepts and
 *                     serves its own. On the 2-core development machine it was ~20% slower than
 *                     shared with Connection: close (22k vs 29k req/s, 2 s runs), hence not the default.
 *
 * Run with Java 17's source launcher against the shaded CLI jar (Netty 4.2 + native epoll inside):
 *   java -cp jcluster-cli/target/jcluster.jar bench/baseline/PlainNetty.java PORT THREADS [MODE]
 */

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

public final class PlainNetty {

    private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json; charset=utf-8");
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final java.time.format.DateTimeFormatter IMF_FIXDATE = java.time.format.DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US).withZone(java.time.ZoneOffset.UTC);

    /** One second's Date value. */
    private record Second(long epochSecond, AsciiString value) {
    }

    private static volatile Second date = new Second(-1, null);

    /** The Date header's value, formatted again only when the second changed. */
    private static AsciiString date() {
        long now = System.currentTimeMillis() / 1000;
        Second d = date;
        if (d.epochSecond() != now) {
            d = new Second(now, new AsciiString(IMF_FIXDATE.format(java.time.Instant.ofEpochSecond(now))));
            date = d;
        }
        return d.value();
    }

    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private PlainNetty() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PlainNetty PORT THREADS [shared|reuseport]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        String mode = args.length > 2 ? args[2] : "shared";
        if (!Epoll.isAvailable()) {
            System.err.println("native epoll is not available: " + Epoll.unavailabilityCause());
            System.exit(1);
        }
        long pid = ProcessHandle.current().pid();
        byte[] body = ("{\"message\":\"Hello from worker " + pid + "\"}").getBytes(StandardCharsets.UTF_8);
        ChannelHandler handler = new HelloHandler(
                Unpooled.unreleasableBuffer(Unpooled.directBuffer(body.length).writeBytes(body).asReadOnly()));

        List<EventLoopGroup> groups = new ArrayList<>();
        List<Channel> listeners = new ArrayList<>();
        switch (mode) {
            case "reuseport" -> {
                for (int i = 0; i < threads; i++) {
                    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
                    groups.add(group);
                    listeners.add(bootstrap(group, handler)
                            .option(EpollChannelOption.SO_REUSEPORT, true)
                            .bind(new InetSocketAddress(port)).sync().channel());
                }
            }
            case "shared" -> {
                EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
                groups.add(group);
                listeners.add(bootstrap(group, handler).bind(new InetSocketAddress(port)).sync().channel());
            }
            default -> {
                System.err.println("unknown mode " + mode + " (shared or reuseport)");
                System.exit(2);
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> groups.forEach(g -> g.shutdownGracefully(0, 1,
                java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly())));
        System.out.println("PlainNetty " + pid + " listening on port " + port + " with " + threads
                + " event loops (" + mode + ")");
        for (Channel listener : listeners) {
            listener.closeFuture().sync();
        }
    }

    private static ServerBootstrap bootstrap(EventLoopGroup group, ChannelHandler handler) {
        return new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec(new HttpDecoderConfig().setValidateHeaders(false)))
                                .addLast(handler);
                    }
                });
    }

    /** Answers every request with the shared body; stateless, so one instance serves all channels. */
    @ChannelHandler.Sharable
    private static final class HelloHandler extends ChannelInboundHandlerAdapter {
        private final ByteBuf body;
        private final int length;

        HelloHandler(ByteBuf body) {
            this.body = body;
            this.length = body.readableBytes();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest request) {
                    respond(ctx, request);
                }
                // HttpContent (the empty LastHttpContent of a GET) needs nothing but releasing.
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body.duplicate(), HEADERS, TRAILERS);
            HttpHeaders headers = response.headers();
            headers.set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_JSON);
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
            headers.set(HttpHeaderNames.DATE, date());
            if (!keepAlive) {
                headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                if (!request.protocolVersion().isKeepAliveDefault()) {
                    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.write(response, ctx.voidPromise());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
