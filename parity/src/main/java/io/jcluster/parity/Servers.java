package io.jcluster.parity;

import io.jcluster.cluster.NetServer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Raw TCP servers for the workers of the scenarios, as Node's tests use {@code net.createServer}. */
final class Servers {
    private Servers() {
    }

    /** Writes {@code greeting} (if any) to each connection, discards what it reads, never closes it itself. */
    static NetServer idle(String greeting, Consumer<Channel> onConnection) {
        return NetServer.create(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        if (greeting != null) {
                            ctx.writeAndFlush(Unpooled.copiedBuffer(greeting, StandardCharsets.UTF_8));
                        }
                        if (onConnection != null) {
                            onConnection.accept(ctx.channel());
                        }
                        ctx.fireChannelActive();
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        // ServerClosing too: like a Node socket, the connection stays until its peer ends it.
                        ReferenceCountUtil.release(evt);
                    }
                });
            }
        });
    }

    static NetServer idle() {
        return idle(null, null);
    }

    /** Node's {@code socket.end('echo')}: writes {@code text} to each connection and closes it. */
    static NetServer answer(String text) {
        return NetServer.create(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8))
                                .addListener(f -> ctx.close());
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                    }
                });
            }
        });
    }
}
