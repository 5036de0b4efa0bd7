package unmodified;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * An application that knows nothing of jcluster: a plain Netty server on the native epoll transport, on
 * {@code --port P} (127.0.0.1), answering any request with a minimal HTTP response
 * {@code pid=PID worker=JCLUSTER_WORKER_ID} and closing. Its own BindException path prints and exits 3.
 */
public final class NettyApp {
    private NettyApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        String body = "pid=" + ProcessHandle.current().pid() + " worker=" + System.getenv("JCLUSTER_WORKER_ID");
        byte[] response = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Channel server;
        try {
            server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    io.netty.util.ReferenceCountUtil.release(msg);
                                    ctx.writeAndFlush(Unpooled.wrappedBuffer(response))
                                            .addListener(ChannelFutureListener.CLOSE);
                                }
                            });
                        }
                    })
                    .bind(InetAddress.getLoopbackAddress(), port).sync().channel();
        } catch (Exception e) {
            if (e instanceof BindException) {
                System.out.println("app's own error path: " + e);
                System.exit(3);
            }
            throw e;
        }
        System.out.println("serving on " + server.localAddress() + " with " + server.getClass().getSimpleName());
        JdkHttpApp.untouched(InetAddress.getLoopbackAddress(), ((java.net.InetSocketAddress) server.localAddress()).getPort());
    }
}
