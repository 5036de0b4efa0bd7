package matrix.nettyuring;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty 4.2 HTTP server on the io_uring transport, 127.0.0.1 --port P: GET / and GET /slow?ms=N.
 * No fallback to epoll or NIO: where the kernel refuses io_uring it prints why and exits with status 2.
 */
public final class NettyIoUringApp {
    private static final long PID = ProcessHandle.current().pid();

    public static void main(String[] args) throws Exception {
        int port = 0;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        if (!IoUring.isAvailable()) {
            System.err.println("io_uring is not available: " + IoUring.unavailabilityCause());
            IoUring.unavailabilityCause().printStackTrace();
            System.exit(2);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(IoUringIoHandler.newFactory());
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(IoUringServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new Handler());
                        }
                    })
                    .bind("127.0.0.1", port).sync().channel();
            System.out.println("Netty io_uring listening on " + ch.localAddress() + " with " + ch.getClass().getSimpleName());
            ch.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            if (q.path().equals("/slow")) {
                List<String> v = q.parameters().get("ms");
                long ms = v == null ? 100 : Long.parseLong(v.get(0));
                ctx.executor().schedule(() -> respond(ctx, "{\"pid\":" + PID + ",\"slept\":" + ms + "}", keepAlive),
                        ms, TimeUnit.MILLISECONDS);
            } else {
                respond(ctx, "{\"pid\":" + PID + ",\"framework\":\"netty-iouring\"}", keepAlive);
            }
        }

        private static void respond(ChannelHandlerContext ctx, String json, boolean keepAlive) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            if (keepAlive) {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(res);
            } else {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
