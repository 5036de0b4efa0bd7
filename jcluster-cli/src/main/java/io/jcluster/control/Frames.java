package io.jcluster.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.contract.JsonText;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The control socket's framing: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. Requests are
 * {@code {id, command, args}}; replies {@code {id, status: "ok"|"error", data|error}}. A request with
 * {@code args.progress: true} may first get frames {@code {id, status: "progress", data}}.
 */
public final class Frames {
    /** Larger frames are refused: no command needs more. */
    public static final int MAX = 1 << 20;

    private Frames() {
    }

    public static void write(WritableByteChannel ch, JsonNode node) throws IOException {
        byte[] body = JsonText.bytes(node);
        if (body.length > MAX) {
            throw new IOException("frame of " + body.length + " bytes is over the limit of " + MAX);
        }
        ByteBuffer buf = ByteBuffer.allocate(4 + body.length);
        buf.putInt(body.length).put(body).flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** The next frame, or null at a clean end of stream (between frames). */
    public static JsonNode read(ReadableByteChannel ch) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(4);
        if (!fill(ch, len, true)) {
            return null;
        }
        int n = len.flip().getInt();
        if (n < 0 || n > MAX) {
            throw new IOException("bad frame length " + n + " (limit " + MAX + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(n);
        fill(ch, body, false);
        JsonNode node = JsonText.read(body.array());
        if (node == null || !node.isObject()) {
            throw new IOException("a frame must be one JSON object");
        }
        return node;
    }

    private static boolean fill(ReadableByteChannel ch, ByteBuffer buf, boolean eofOk) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                if (eofOk && buf.position() == 0) {
                    return false;
                }
                throw new EOFException("the connection closed in the middle of a frame");
            }
        }
        return true;
    }
}
