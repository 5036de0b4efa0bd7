package io.jcluster.ipc;

import io.jcluster.ipc.Message.Ack;
import io.jcluster.ipc.Message.BootFailed;
import io.jcluster.ipc.Message.Disconnect;
import io.jcluster.ipc.Message.Disconnecting;
import io.jcluster.ipc.Message.Hello;
import io.jcluster.ipc.Message.ListenReply;
import io.jcluster.ipc.Message.ListenRequest;
import io.jcluster.ipc.Message.Ping;
import io.jcluster.ipc.Message.Pong;
import io.jcluster.ipc.Message.Listening;
import io.jcluster.ipc.Message.Refuse;
import io.jcluster.ipc.Message.ServerClosed;
import io.jcluster.ipc.Message.Stats;
import io.jcluster.ipc.Message.Stopping;
import io.jcluster.ipc.Message.UserMessage;
import io.jcluster.ipc.Message.Welcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Internal: the one wire format of every link. A frame is a 4-byte big-endian length, then a type byte and
 * the message's fields (ints, longs, enums as a byte, strings as a 2-byte length and UTF-8). A frame that is too long, has an
 * unknown type, or does not hold exactly its fields fails the decode: the link is then closed.
 */
public final class Codec {
    /** The largest frame either side accepts: 8 MiB, so a user message may be large but not unbounded. */
    public static final int MAX_FRAME = 8 * 1024 * 1024;

    static final byte HELLO = 1, WELCOME = 2, LISTEN_REQUEST = 3, LISTEN_REPLY = 4, LISTENING = 5,
            SERVER_CLOSED = 6, ACK = 7, REFUSE = 8, USER = 9, DISCONNECT = 10, DISCONNECTING = 11, PING = 12,
            PONG = 13, STOPPING = 14, BOOT_FAILED = 15, STATS = 16, REQUEST = 17, REPLY = 18, BROADCAST = 19;

    /**
     * The largest user message (its JSON) any of {@link UserMessage}, {@link Message.Request}, {@link Message.Reply}
     * and {@link Message.Broadcast} can carry: a frame less the type, id and status.
     */
    public static final int MAX_USER_MESSAGE = MAX_FRAME - 16;

    private Codec() {
    }

    /** Installs the frame decoder, message decoder and encoder at the head of a link's pipeline. */
    public static void install(ChannelPipeline p) {
        p.addLast("frames", new LengthFieldBasedFrameDecoder(MAX_FRAME + 4, 0, 4, 0, 4));
        p.addLast("decoder", new Decoder());
        p.addLast("encoder", ENCODER);
    }

    /** Installs only the encoder (the worker's fd link reads file descriptors, never frames). */
    public static void installEncoder(ChannelPipeline p) {
        p.addLast("encoder", ENCODER);
    }

    private static final Encoder ENCODER = new Encoder();

    @ChannelHandler.Sharable
    static final class Encoder extends MessageToByteEncoder<Message> {
        @Override
        protected void encode(ChannelHandlerContext ctx, Message msg, ByteBuf out) {
            writeFrame(msg, out);
        }
    }

    /** Writes one whole frame, or nothing when the message cannot be encoded. */
    public static void writeFrame(Message msg, ByteBuf out) {
        int start = out.writerIndex();
        try {
            writeBody(msg, out, start);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    private static void writeBody(Message msg, ByteBuf out, int start) {
        out.writeInt(0);
        if (msg instanceof Hello h) {
            out.writeByte(HELLO);
            str(out, h.token());
            out.writeLong(h.pid());
            out.writeByte(h.link().ordinal());
        } else if (msg instanceof Welcome w) {
            out.writeByte(WELCOME).writeInt(w.workerId());
        } else if (msg instanceof ListenRequest r) {
            out.writeByte(LISTEN_REQUEST).writeInt(r.requestId());
            str(out, r.host());
            out.writeInt(r.port());
            out.writeByte(r.mode().ordinal());
        } else if (msg instanceof ListenReply r) {
            out.writeByte(LISTEN_REPLY).writeInt(r.requestId());
            str(out, r.host());
            out.writeInt(r.port());
            str(out, r.errorCode());
            str(out, r.errorDetail());
            out.writeBoolean(r.fdFollows());
        } else if (msg instanceof Listening l) {
            out.writeByte(LISTENING);
            str(out, l.host());
            out.writeInt(l.port());
        } else if (msg instanceof ServerClosed c) {
            out.writeByte(SERVER_CLOSED);
            str(out, c.host());
            out.writeInt(c.port());
        } else if (msg instanceof Ack a) {
            out.writeByte(ACK).writeInt(a.count());
            if (a.closed() != 0) {
                out.writeInt(a.closed()); // only then: an Ack without closes is as it always was
            }
        } else if (msg instanceof Refuse r) {
            out.writeByte(REFUSE).writeInt(r.count());
        } else if (msg instanceof UserMessage u) {
            out.writeByte(USER).writeBytes(u.json());
        } else if (msg instanceof Message.Request r) {
            out.writeByte(REQUEST).writeLong(r.id()).writeBytes(r.json());
        } else if (msg instanceof Message.Reply r) {
            out.writeByte(REPLY).writeLong(r.id()).writeByte(r.status().ordinal()).writeBytes(r.json());
        } else if (msg instanceof Message.Broadcast b) {
            out.writeByte(BROADCAST).writeBytes(b.json());
        } else if (msg instanceof Disconnect) {
            out.writeByte(DISCONNECT);
        } else if (msg instanceof Disconnecting) {
            out.writeByte(DISCONNECTING);
        } else if (msg instanceof Stopping) {
            out.writeByte(STOPPING);
        } else if (msg instanceof BootFailed b) {
            out.writeByte(BOOT_FAILED);
            str(out, b.cause());
            str(out, b.detail());
        } else if (msg instanceof Ping p) {
            out.writeByte(PING).writeLong(p.seq());
        } else if (msg instanceof Pong p) {
            out.writeByte(PONG).writeLong(p.seq()).writeLong(p.connections()).writeLong(p.requests());
        } else if (msg instanceof Stats s) {
            writeStats(s, out);
        } else {
            throw new IllegalArgumentException("not a message: " + msg);
        }
        int length = out.writerIndex() - start - 4;
        if (length > MAX_FRAME) {
            throw new IllegalArgumentException("message of " + length + " bytes is larger than " + MAX_FRAME);
        }
        out.setInt(start, length);
    }

    /** Reads the message of one frame's body (without the length). */
    public static Message readFrame(ByteBuf in) {
        try {
            byte type = in.readByte();
            Message m = switch (type) {
                case HELLO -> new Hello(str(in), in.readLong(), link(in.readByte()));
                case WELCOME -> new Welcome(in.readInt());
                case LISTEN_REQUEST -> new ListenRequest(in.readInt(), str(in), port(in.readInt()), mode(in.readByte()));
                case LISTEN_REPLY -> new ListenReply(in.readInt(), str(in), port(in.readInt()), str(in), str(in),
                        in.readBoolean());
                case LISTENING -> new Listening(str(in), port(in.readInt()));
                case SERVER_CLOSED -> new ServerClosed(str(in), port(in.readInt()));
                case ACK -> in.readableBytes() == 8 ? ack(in.readInt(), in.readInt()) : new Ack(count(in.readInt()));
                case REFUSE -> new Refuse(count(in.readInt()));
                case USER -> new UserMessage(rest(in));
                case REQUEST -> new Message.Request(in.readLong(), rest(in));
                case REPLY -> new Message.Reply(in.readLong(), replyStatus(in.readByte()), rest(in));
                case BROADCAST -> new Message.Broadcast(rest(in));
                case DISCONNECT -> new Disconnect();
                case DISCONNECTING -> new Disconnecting();
                case STOPPING -> new Stopping();
                case BOOT_FAILED -> new BootFailed(str(in), str(in));
                case PING -> new Ping(in.readLong());
                case PONG -> new Pong(in.readLong(), in.readLong(), in.readLong());
                case STATS -> readStats(in);
                default -> throw new CorruptedFrameException("unknown message type " + type);
            };
            if (in.isReadable()) {
                throw new CorruptedFrameException(in.readableBytes() + " stray bytes after " + m.getClass().getSimpleName());
            }
            return m;
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptedFrameException("truncated frame", e);
        }
    }

    private static void writeStats(Stats s, ByteBuf out) {
        long[] d = s.durationCounts();
        if (d.length > Stats.MAX_BUCKETS) {
            throw new IllegalArgumentException("a histogram of " + d.length + " buckets (at most " + Stats.MAX_BUCKETS + ")");
        }
        out.writeByte(STATS).writeLong(s.heapUsedBytes()).writeLong(s.gcPauseNanos()).writeLong(s.acceptedConnections());
        out.writeByte(d.length);
        for (long c : d) {
            out.writeLong(c);
        }
        out.writeLong(s.durationSumNanos());
        out.writeInt(s.appMetrics().length).writeBytes(s.appMetrics());
    }

    private static Stats readStats(ByteBuf in) {
        long heap = in.readLong(), gc = in.readLong(), accepted = in.readLong();
        int n = in.readUnsignedByte();
        if (n > Stats.MAX_BUCKETS) {
            throw new CorruptedFrameException("a histogram of " + n + " buckets");
        }
        long[] d = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = in.readLong();
        }
        long sum = in.readLong();
        int len = in.readInt();
        if (len < 0 || len > in.readableBytes()) {
            throw new CorruptedFrameException("app metrics of " + len + " bytes in a frame of " + in.readableBytes());
        }
        byte[] app = new byte[len];
        in.readBytes(app);
        return new Stats(heap, gc, accepted, d, sum, app);
    }

    /** The rest of the frame: a user message's JSON. */
    private static byte[] rest(ByteBuf in) {
        byte[] b = ByteBufUtil.getBytes(in, in.readerIndex(), in.readableBytes());
        in.skipBytes(b.length);
        return b;
    }

    private static Message.ReplyStatus replyStatus(byte b) {
        Message.ReplyStatus[] all = Message.ReplyStatus.values();
        if (b < 0 || b >= all.length) {
            throw new CorruptedFrameException("unknown reply status " + b);
        }
        return all[b];
    }

    private static Message.Link link(byte b) {
        Message.Link[] all = Message.Link.values();
        if (b < 0 || b >= all.length) {
            throw new CorruptedFrameException("unknown link " + b);
        }
        return all[b];
    }

    private static Message.ListenMode mode(byte b) {
        Message.ListenMode[] all = Message.ListenMode.values();
        if (b < 0 || b >= all.length) {
            throw new CorruptedFrameException("unknown listen mode " + b);
        }
        return all[b];
    }

    private static int port(int p) {
        if (p < 0 || p > 65535) {
            throw new CorruptedFrameException("port out of range: " + p);
        }
        return p;
    }

    /** An Ack with closes: it may take no connection (count 0), and reports at least one close. */
    private static Ack ack(int count, int closed) {
        if (count < 0 || closed <= 0) {
            throw new CorruptedFrameException("an Ack with closes must take 0 or more connections and report 1 or more"
                    + " closes: " + count + ", " + closed);
        }
        return new Ack(count, closed);
    }

    private static int count(int n) {
        if (n <= 0) {
            throw new CorruptedFrameException("count must be positive: " + n);
        }
        return n;
    }

    private static void str(ByteBuf out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 bytes");
        }
        out.writeShort(b.length).writeBytes(b);
    }

    private static String str(ByteBuf in) {
        int n = in.readUnsignedShort();
        if (in.readableBytes() < n) {
            throw new CorruptedFrameException("truncated string");
        }
        String s = in.toString(in.readerIndex(), n, StandardCharsets.UTF_8);
        in.skipBytes(n);
        return s;
    }

    static final class Decoder extends MessageToMessageDecoder<ByteBuf> {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
            out.add(readFrame(frame));
        }
    }
}
