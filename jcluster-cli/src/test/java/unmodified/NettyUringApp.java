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
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * An application that knows nothing of jcluster: a plain Netty server on the io_uring transport (Netty's defaults,
 * so a multishot accept where the kernel has it), on {@code --port P} (127.0.0.1), answering any request with
 * {@code pid=PID worker=JCLUSTER_WORKER_ID} and closing. Without io_uring it says why and exits 2.
 */
public final class NettyUringApp {
    private NettyUringApp() {
    }

    public static void main(String[] args) throws Exception {
        if (!IoUring.isAvailable()) {
            System.out.println("io_uring is not available: " + IoUring.unavailabilityCause());
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        String body = "pid=" + ProcessHandle.current().pid() + " worker=" + System.getenv("JCLUSTER_WORKER_ID");
        byte[] response = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(IoUringServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                io.netty.util.ReferenceCountUtil.release(msg);
                                ctx.writeAndFlush(Unpooled.wrappedBuffer(response)).addListener(ChannelFutureListener.CLOSE);
                            }
                        });
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), port).sync().channel();
        System.out.println("serving on " + server.localAddress() + " with " + server.getClass().getSimpleName());
    }
}
