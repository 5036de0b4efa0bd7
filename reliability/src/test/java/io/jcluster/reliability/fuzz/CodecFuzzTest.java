package io.jcluster.reliability.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jcluster.ipc.Codec;
import io.jcluster.ipc.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the IPC frame decoder ({@link Codec#install}) as a link uses it: bytes arrive in pieces on a
 * channel. A decode failure ({@link CorruptedFrameException}, {@link TooLongFrameException}) is the expected
 * answer to bad input (the link is then closed). A finding is any other exception, a hang or an OOM, a
 * message that does not survive a re-encode and decode unchanged, or a buffer left unreleased.
 *
 * <p>Input: byte 0 is the size of the pieces the rest is fed in (0: all at once); the rest is the wire.
 */
class CodecFuzzTest {
    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @FuzzTest(maxDuration = "5m")
    void frames(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int piece = input[0] & 0xFF;
        byte[] wire = Arrays.copyOfRange(input, 1, input.length);
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        Codec.install(ch.pipeline());
        // Collects what reaches the end of the pipeline: every decoded message and every exception (the
        // channel itself would report only the first exception of a read).
        List<Object> decoded = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                decoded.add(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                errors.add(cause);
                ctx.close(); // as a link does
            }
        });
        try {
            for (int at = 0; at < wire.length && ch.isOpen(); ) {
                int n = piece == 0 ? wire.length - at : Math.min(piece, wire.length - at);
                ByteBuf b = alloc.buffer(n);
                b.writeBytes(wire, at, n);
                at += n;
                ch.writeInbound(b);
            }
            ch.checkException();
        } finally {
            ch.finishAndReleaseAll();
        }
        for (Throwable t : errors) {
            if (!(t instanceof CorruptedFrameException || t instanceof TooLongFrameException)) {
                throw new AssertionError("decoding failed with an unexpected exception", t);
            }
        }
        for (Object m : decoded) {
            if (!(m instanceof Message msg)) {
                throw new AssertionError("decoded a " + m.getClass().getName() + ", not a Message");
            }
            roundTrip(msg);
        }
        List<String> leaks = alloc.unreleased();
        if (!leaks.isEmpty()) {
            alloc.releaseAll();
            throw new AssertionError("buffers not released: " + leaks);
        }
    }

    /** Encoding a decoded message and decoding it again gives the same message. */
    static void roundTrip(Message m) {
        ByteBuf b = Unpooled.buffer();
        try {
            Codec.writeFrame(m, b);
            int length = b.readInt();
            if (length != b.readableBytes()) {
                throw new AssertionError("frame length " + length + " but " + b.readableBytes() + " bytes for " + m);
            }
            Message again = Codec.readFrame(b);
            if (!again.equals(m)) {
                throw new AssertionError("round trip changed " + m + " into " + again);
            }
        } finally {
            b.release();
        }
    }
}
