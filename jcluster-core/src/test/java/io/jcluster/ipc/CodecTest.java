package io.jcluster.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jcluster.ipc.Message.Ack;
import io.jcluster.ipc.Message.Disconnect;
import io.jcluster.ipc.Message.Disconnecting;
import io.jcluster.ipc.Message.Hello;
import io.jcluster.ipc.Message.Link;
import io.jcluster.ipc.Message.ListenReply;
import io.jcluster.ipc.Message.ListenRequest;
import io.jcluster.ipc.Message.Listening;
import io.jcluster.ipc.Message.Refuse;
import io.jcluster.ipc.Message.ServerClosed;
import io.jcluster.ipc.Message.UserMessage;
import io.jcluster.ipc.Message.Welcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CodecTest {
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        Codec.install(ch.pipeline());
        channels.add(ch);
        return ch;
    }

    @AfterEach
    void closeChannels() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
    }

    static Stream<Message> samples() {
        byte[] json = "{\"hello\":[1,2,3],\"ü\":\"✓\"}".getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                new Hello("0123456789abcdef-token", 4242L, Link.CONTROL),
                new Hello("", Long.MAX_VALUE, Link.FDS),
                new Hello("t", 1, Link.FDS_BATCHED),
                new Welcome(7),
                new Welcome(Integer.MAX_VALUE),
                new ListenRequest(3, "127.0.0.1", 8080),
                new ListenRequest(0, "", 0),
                new ListenRequest(-1, "::1", 65535),
                new ListenRequest(9, "0.0.0.0", 8080, Message.ListenMode.SOCKET),
                new ListenRequest(10, "", 0, Message.ListenMode.POLICY),
                ListenReply.ok(3, "0.0.0.0", 8080, true),
                ListenReply.ok(4, "", 0, false),
                ListenReply.error(5, "localhost", 80, "EACCES", "Permission denied — ünïcødé"),
                new Listening("", 3000),
                new Listening("example.invalid", 65535),
                new ServerClosed("127.0.0.1", 1),
                new ServerClosed("", 0),
                new Ack(1),
                new Ack(Integer.MAX_VALUE),
                new Ack(0, 3),
                new Ack(5, Integer.MAX_VALUE),
                new Refuse(1),
                new Refuse(17),
                new UserMessage(json),
                new UserMessage(new byte[0]),
                new Message.Request(1, json),
                new Message.Request(Long.MAX_VALUE, new byte[0]),
                new Message.Reply(1, Message.ReplyStatus.OK, json),
                new Message.Reply(2, Message.ReplyStatus.NO_HANDLER, "\"none\"".getBytes(StandardCharsets.UTF_8)),
                new Message.Reply(3, Message.ReplyStatus.FAILED, new byte[0]),
                new Message.Broadcast(json),
                new Disconnect(),
                new Disconnecting(),
                new Message.Stopping(),
                new Message.BootFailed("NO_MAIN_CLASS", "com.acme.Main"),
                new Message.BootFailed("", ""),
                new Message.Ping(1),
                new Message.Ping(Long.MAX_VALUE),
                new Message.Pong(1, 0, 0),
                new Message.Pong(9, 12_000, Long.MAX_VALUE),
                new Message.Stats(0, 0, 0, new long[0], 0, new byte[0]),
                new Message.Stats(52_428_800, 1_500_000_000L, 1000, new long[] {1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5},
                        Long.MAX_VALUE, new byte[] {1, 2, 3}));
    }

    /** Encodes on one channel; returns the bytes written (one buffer, which the caller owns). */
    private ByteBuf encode(Message... msgs) {
        EmbeddedChannel out = channel();
        assertThat(out.writeOutbound((Object[]) msgs)).isTrue();
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = out.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    private static List<Object> drainInbound(EmbeddedChannel ch) {
        List<Object> got = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            got.add(o);
        }
        return got;
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyMessageRoundTrips(Message m) {
        ByteBuf bytes = encode(m);
        EmbeddedChannel in = channel();
        assertThat(in.writeInbound(bytes)).isTrue();
        assertThat(drainInbound(in)).containsExactly(m);
    }

    @Test
    void theSamplesCoverEveryMessageType() {
        Set<Class<?>> covered = samples().map(Object::getClass).collect(Collectors.toSet());
        assertThat(covered).containsExactlyInAnyOrder(Message.class.getPermittedSubclasses());
    }

    @Test
    void statsWithATooLongHistogramAreRefused() {
        EmbeddedChannel in = channel();
        ByteBuf b = Unpooled.buffer();
        b.writeInt(1 + 24 + 1).writeByte(16).writeLong(0).writeLong(0).writeLong(0).writeByte(65);
        assertThatThrownBy(() -> in.writeInbound(b)).hasMessageContaining("65 buckets");
    }

    @Test
    void statsWhoseAppMetricsOverrunTheFrameAreRefused() {
        EmbeddedChannel in = channel();
        ByteBuf b = Unpooled.buffer();
        b.writeInt(1 + 24 + 1 + 8 + 4).writeByte(16).writeLong(0).writeLong(0).writeLong(0).writeByte(0).writeLong(0)
                .writeInt(100);
        assertThatThrownBy(() -> in.writeInbound(b)).hasMessageContaining("app metrics of 100 bytes");
    }

    @Test
    void theFrameIsALengthPrefixThenATypeByte() {
        ByteBuf b = encode(new Welcome(0x01020304));
        assertThat(b.readableBytes()).isEqualTo(4 + 1 + 4);
        assertThat(b.getInt(0)).isEqualTo(5);
        assertThat(b.getByte(4)).isEqualTo(Codec.WELCOME);
        assertThat(b.getInt(5)).isEqualTo(0x01020304);
        b.release();
    }

    @Test
    void severalFramesInOneBufferDecodeInOrder() {
        List<Message> all = samples().toList();
        ByteBuf bytes = encode(all.toArray(Message[]::new));
        EmbeddedChannel in = channel();
        in.writeInbound(bytes);
        assertThat(drainInbound(in)).containsExactlyElementsOf(all);
    }

    @Test
    void framesSplitIntoOneByteBuffersDecode() {
        List<Message> all = samples().toList();
        ByteBuf bytes = encode(all.toArray(Message[]::new));
        int firstFrameEnd = 4 + bytes.getInt(0);
        EmbeddedChannel in = channel();
        List<Object> got = new ArrayList<>();
        for (int i = 0; bytes.isReadable(); i++) {
            in.writeInbound(bytes.readRetainedSlice(1));
            List<Object> now = drainInbound(in);
            if (i < firstFrameEnd - 1) {
                assertThat(now).as("nothing before the first frame's last byte (byte %d)", i).isEmpty();
            }
            got.addAll(now);
        }
        bytes.release();
        assertThat(got).containsExactlyElementsOf(all);
    }

    @Test
    void hugeButLegalUserMessageRoundTrips() {
        byte[] json = new byte[1024 * 1024];
        Arrays.fill(json, (byte) 'x');
        UserMessage m = new UserMessage(json);
        EmbeddedChannel in = channel();
        in.writeInbound(encode(m));
        assertThat(drainInbound(in)).containsExactly(m);
    }

    /**
     * The encoder accepts a frame body of up to MAX_FRAME bytes; the other side must accept what this side
     * sends, or a legal user message of that size kills the link.
     */
    @Test
    void theLargestMessageTheEncoderAcceptsAlsoDecodes() {
        byte[] json = new byte[Codec.MAX_FRAME - 1]; // + 1 type byte = MAX_FRAME
        Arrays.fill(json, (byte) '1');
        UserMessage m = new UserMessage(json);
        ByteBuf bytes = encode(m);
        assertThat(bytes.getInt(0)).isEqualTo(Codec.MAX_FRAME);
        EmbeddedChannel in = channel();
        in.writeInbound(bytes);
        assertThat(drainInbound(in)).containsExactly(m);
    }

    @Test
    void theEncoderRejectsAMessageLongerThanMaxFrame() {
        EmbeddedChannel out = channel();
        assertThatThrownBy(() -> out.writeOutbound(new UserMessage(new byte[Codec.MAX_FRAME])))
                .isInstanceOf(EncoderException.class).hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThat((Object) out.readOutbound()).isNull();
    }

    @Test
    void writeFrameLeavesTheBufferUntouchedWhenTheMessageIsTooLong() {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(42);
        assertThatThrownBy(() -> Codec.writeFrame(new UserMessage(new byte[Codec.MAX_FRAME]), b))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(b.readableBytes()).isEqualTo(1);
        b.release();
    }

    @Test
    void theEncoderRejectsAStringLongerThan65535Bytes() {
        EmbeddedChannel out = channel();
        assertThatThrownBy(() -> out.writeOutbound(new Listening("h".repeat(0x10000), 80)))
                .isInstanceOf(EncoderException.class).hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThat((Object) out.readOutbound()).isNull();
    }

    @Test
    void helloToStringNeverContainsTheToken() {
        String token = "s3cr3t-T0KEN-5f1c";
        Hello h = new Hello(token, 99, Link.FDS);
        assertThat(h.toString()).doesNotContain(token).contains("99").contains("FDS");
        assertThat(String.valueOf(List.of(h))).doesNotContain(token);
    }

    // ---- malformed input: each must fail the pipeline and emit nothing ----

    /** A raw frame: a length prefix equal to the body's length, then the body. */
    private static ByteBuf frame(Consumer<ByteBuf> body) {
        ByteBuf b = Unpooled.buffer();
        body.accept(b);
        ByteBuf f = Unpooled.buffer(4 + b.readableBytes());
        f.writeInt(b.readableBytes()).writeBytes(b);
        b.release();
        return f;
    }

    private static void shortStr(ByteBuf b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.writeShort(bytes.length).writeBytes(bytes);
    }

    private void assertRejected(ByteBuf bytes, Class<? extends DecoderException> type, String messagePart) {
        EmbeddedChannel in = channel();
        assertThatThrownBy(() -> in.writeInbound(bytes)).isInstanceOf(type).hasMessageContaining(messagePart);
        assertThat(drainInbound(in)).isEmpty();
    }

    @Test
    void aLengthAboveMaxFrameIsRejectedAtOnce() {
        ByteBuf b = Unpooled.buffer().writeInt(Codec.MAX_FRAME + 1).writeByte(Codec.USER);
        assertRejected(b, TooLongFrameException.class, "");
    }

    @Test
    void aLengthWithTheTopBitSetIsRejected() {
        // Netty reads the 4-byte length unsigned: 0xFFFFFFFF is a 4 GiB frame, far too long.
        ByteBuf b = Unpooled.buffer().writeInt(-1).writeByte(Codec.USER);
        assertRejected(b, TooLongFrameException.class, "");
    }

    @Test
    void anUnknownTypeByteIsRejected() {
        assertRejected(frame(b -> b.writeByte(0)), CorruptedFrameException.class, "unknown message type 0");
        assertRejected(frame(b -> b.writeByte(99)), CorruptedFrameException.class, "unknown message type 99");
        assertRejected(frame(b -> b.writeByte(-1)), CorruptedFrameException.class, "unknown message type -1");
    }

    @Test
    void anEmptyFrameIsRejected() {
        assertRejected(Unpooled.buffer().writeInt(0), CorruptedFrameException.class, "truncated");
    }

    @Test
    void truncatedFramesAreRejected() {
        assertRejected(frame(b -> b.writeByte(Codec.WELCOME).writeShort(1)), CorruptedFrameException.class,
                "truncated");
        assertRejected(frame(b -> b.writeByte(Codec.ACK).writeByte(1)), CorruptedFrameException.class,
                "truncated");
        assertRejected(frame(b -> {
            b.writeByte(Codec.HELLO);
            shortStr(b, "tok");
            b.writeLong(1); // link byte missing
        }), CorruptedFrameException.class, "truncated");
        assertRejected(frame(b -> {
            b.writeByte(Codec.LISTEN_REPLY).writeInt(1);
            shortStr(b, "");
            b.writeInt(80);
            shortStr(b, "");
            shortStr(b, ""); // fdFollows missing
        }), CorruptedFrameException.class, "truncated");
        assertRejected(frame(b -> b.writeByte(Codec.LISTENING).writeByte(0)), CorruptedFrameException.class,
                "truncated");
    }

    @Test
    void strayTrailingBytesAreRejected() {
        assertRejected(frame(b -> b.writeByte(Codec.DISCONNECT).writeByte(0)), CorruptedFrameException.class,
                "1 stray bytes after Disconnect");
        assertRejected(frame(b -> b.writeByte(Codec.DISCONNECTING).writeInt(0)), CorruptedFrameException.class,
                "4 stray bytes");
        assertRejected(frame(b -> b.writeByte(Codec.WELCOME).writeInt(1).writeByte(9)),
                CorruptedFrameException.class, "stray");
        assertRejected(frame(b -> b.writeByte(Codec.REFUSE).writeInt(1).writeShort(0)),
                CorruptedFrameException.class, "stray");
        assertRejected(frame(b -> {
            b.writeByte(Codec.SERVER_CLOSED);
            shortStr(b, "");
            b.writeInt(80).writeByte(0);
        }), CorruptedFrameException.class, "stray");
    }

    @Test
    void aPortOutOfRangeIsRejected() {
        for (int port : new int[] {-1, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertRejected(frame(b -> {
                b.writeByte(Codec.LISTEN_REQUEST).writeInt(1);
                shortStr(b, "");
                b.writeInt(port);
            }), CorruptedFrameException.class, "port out of range: " + port);
            assertRejected(frame(b -> {
                b.writeByte(Codec.LISTENING);
                shortStr(b, "");
                b.writeInt(port);
            }), CorruptedFrameException.class, "port out of range");
            assertRejected(frame(b -> {
                b.writeByte(Codec.SERVER_CLOSED);
                shortStr(b, "");
                b.writeInt(port);
            }), CorruptedFrameException.class, "port out of range");
            assertRejected(frame(b -> {
                b.writeByte(Codec.LISTEN_REPLY).writeInt(1);
                shortStr(b, "");
                b.writeInt(port);
                shortStr(b, "");
                shortStr(b, "");
                b.writeBoolean(false);
            }), CorruptedFrameException.class, "port out of range");
        }
    }

    @Test
    void anAckOrRefuseCountOfZeroOrLessIsRejected() {
        for (int n : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertRejected(frame(b -> b.writeByte(Codec.ACK).writeInt(n)), CorruptedFrameException.class,
                    "count must be positive: " + n);
            assertRejected(frame(b -> b.writeByte(Codec.REFUSE).writeInt(n)), CorruptedFrameException.class,
                    "count must be positive: " + n);
        }
    }

    @Test
    void anAckWithClosesMustReportOneOrMoreAndTakeNoneOrMore() {
        for (int[] bad : new int[][] {{0, 0}, {1, 0}, {-1, 2}, {3, -1}}) {
            assertRejected(frame(b -> b.writeByte(Codec.ACK).writeInt(bad[0]).writeInt(bad[1])),
                    CorruptedFrameException.class, "an Ack with closes");
        }
    }

    @Test
    void anAckWithoutClosesKeepsItsOldFourBytes() {
        ByteBuf out = Unpooled.buffer();
        Codec.writeFrame(new Ack(2), out);
        assertThat(out.readableBytes()).isEqualTo(4 + 1 + 4);
        out.release();
    }

    @Test
    void aStringLongerThanTheFrameIsRejected() {
        assertRejected(frame(b -> b.writeByte(Codec.LISTEN_REQUEST).writeInt(1).writeShort(100).writeBytes(new byte[3])),
                CorruptedFrameException.class, "truncated");
        assertRejected(frame(b -> b.writeByte(Codec.HELLO).writeShort(0xFFFF).writeBytes(new byte[20])),
                CorruptedFrameException.class, "truncated");
    }

    @Test
    void anUnknownLinkIsRejected() {
        for (int link : new int[] {3, -1}) {
            assertRejected(frame(b -> {
                b.writeByte(Codec.HELLO);
                shortStr(b, "tok");
                b.writeLong(1).writeByte(link);
            }), CorruptedFrameException.class, "unknown link " + link);
        }
    }

    @Test
    void aListenRequestSaysItsModeInOneByteAfterThePort() {
        ByteBuf b = encode(new ListenRequest(1, "", 80, Message.ListenMode.SOCKET));
        assertThat(b.readableBytes()).isEqualTo(4 + 1 + 4 + 2 + 4 + 1);
        assertThat(b.getByte(b.readableBytes() - 1)).isEqualTo((byte) Message.ListenMode.SOCKET.ordinal());
        b.release();
        assertThat(new ListenRequest(1, "", 80).mode()).isEqualTo(Message.ListenMode.POLICY);
    }

    @Test
    void anUnknownListenModeIsRejected() {
        for (int mode : new int[] {2, -1}) {
            assertRejected(frame(b -> {
                b.writeByte(Codec.LISTEN_REQUEST).writeInt(1);
                shortStr(b, "");
                b.writeInt(80).writeByte(mode);
            }), CorruptedFrameException.class, "unknown listen mode " + mode);
        }
    }

    @Test
    void aGoodFrameBeforeABadOneIsStillDelivered() {
        ByteBuf good = encode(new Welcome(1));
        ByteBuf bad = frame(b -> b.writeByte(99));
        ByteBuf both = Unpooled.wrappedBuffer(good, bad);
        EmbeddedChannel in = channel();
        assertThatThrownBy(() -> in.writeInbound(both)).isInstanceOf(CorruptedFrameException.class);
        assertThat(drainInbound(in)).containsExactly(new Welcome(1));
    }

    @Test
    void readFrameDirectlyRejectsTrailingBytes() {
        ByteBuf body = Unpooled.buffer().writeByte(Codec.ACK).writeInt(2).writeByte(0);
        assertThatThrownBy(() -> Codec.readFrame(body)).isInstanceOf(CorruptedFrameException.class);
        body.release();
        ByteBuf ok = Unpooled.buffer().writeByte(Codec.ACK).writeInt(2);
        assertThat(Codec.readFrame(ok)).isEqualTo(new Ack(2));
        ok.release();
    }
}
