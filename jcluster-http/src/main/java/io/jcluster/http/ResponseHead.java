package io.jcluster.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a response head straight into a buffer, byte for byte what Netty's HttpResponseEncoder writes for
 * it, without building a response object or a header map for the headers we set ourselves: the status
 * lines and header names are encoded once, Content-Length is written as digits, the {@code Date} line is the
 * one {@link HttpDate} formatted for the current second (it follows the user's headers and Content-Length,
 * and comes before Connection, as in Node's responses).
 *
 * <p>The length of a head is computed first so that it can be written in front of a body serialized
 * before it (see {@link #HEADROOM}) and the whole response is one buffer.
 */
final class ResponseHead {
    /** Room left in front of a body we serialize, for its head: our own headers and a few of the user's. */
    static final int HEADROOM = 256;

    static final byte[] CLOSE = ascii("connection: close\r\n");
    static final byte[] KEEP_ALIVE = ascii("connection: keep-alive\r\n");
    private static final byte[] HTTP_1_1 = ascii("HTTP/1.1 ");
    private static final byte[] HTTP_1_0 = ascii("HTTP/1.0 ");
    private static final byte[] CONTENT_TYPE = ascii("content-type: ");
    private static final byte[] CONTENT_LENGTH = ascii("content-length: ");
    private static final int CRLF = ('\r' << 8) | '\n';
    private static final int COLON_SPACE = (':' << 8) | ' ';
    /** Our default types; a 200 of one of them starts with one of the {@link #OK_PREFIXES}. */
    private static final AsciiString[] TYPES = {Response.JSON_UTF8, Response.TEXT_UTF8, Response.OCTET_STREAM};
    /** {@code "HTTP/1.1 200 OK\r\ncontent-type: T\r\ncontent-length: "} for each of TYPES, then for 1.0. */
    private static final byte[][] OK_PREFIXES = new byte[2 * TYPES.length][];

    static {
        for (int i = 0; i < OK_PREFIXES.length; i++) {
            OK_PREFIXES[i] = ascii((i < TYPES.length ? "HTTP/1.1 " : "HTTP/1.0 ") + "200 OK\r\ncontent-type: "
                    + TYPES[i % TYPES.length] + "\r\ncontent-length: ");
        }
    }

    private ResponseHead() {
    }

    /**
     * The length of a head with only the headers we set: {@code type} (or none when null), Content-Length
     * {@code length} (none when negative), the Date line and the {@code connection} line (or none when null).
     */
    static int length(int status, AsciiString type, int length, byte[] connection) {
        int n = HTTP_1_1.length + Statuses.line(status).length + 2 + HttpDate.LINE_LENGTH;
        if (type != null) {
            n += CONTENT_TYPE.length + type.length() + 2;
        }
        if (length >= 0) {
            n += CONTENT_LENGTH.length + digits(length) + 2;
        }
        return connection == null ? n : n + connection.length;
    }

    static void write(ByteBuf buf, boolean http10, int status, AsciiString type, int length, byte[] connection) {
        byte[] prefix = status == 200 && length >= 0 ? okPrefix(http10, type) : null;
        if (prefix != null) {
            buf.writeBytes(prefix);
        } else {
            buf.writeBytes(http10 ? HTTP_1_0 : HTTP_1_1).writeBytes(Statuses.line(status));
            if (type != null) {
                buf.writeBytes(CONTENT_TYPE);
                ByteBufUtil.copy(type, buf);
                buf.writeShort(CRLF);
            }
            if (length >= 0) {
                buf.writeBytes(CONTENT_LENGTH);
            }
        }
        if (length >= 0) {
            writeDigits(buf, length);
            buf.writeShort(CRLF);
        }
        buf.writeBytes(HttpDate.line());
        if (connection != null) {
            buf.writeBytes(connection);
        }
        buf.writeShort(CRLF);
    }

    /**
     * The length of a head with {@code headers}, which hold every header of the response, and the Date line
     * {@code date} (none when null: the user set a Date header).
     */
    static int length(int status, HttpHeaders headers, byte[] date) {
        int n = HTTP_1_1.length + Statuses.line(status).length + 2 + (date == null ? 0 : date.length);
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            n += e.getKey().length() + e.getValue().length() + 4;
        }
        return n;
    }

    static void write(ByteBuf buf, boolean http10, int status, HttpHeaders headers, byte[] date) {
        buf.writeBytes(http10 ? HTTP_1_0 : HTTP_1_1).writeBytes(Statuses.line(status));
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            // US-ASCII, one byte per char, as Netty's encoder writes header lines (they were validated when set).
            buf.writeCharSequence(e.getKey(), CharsetUtil.US_ASCII);
            buf.writeShort(COLON_SPACE);
            buf.writeCharSequence(e.getValue(), CharsetUtil.US_ASCII);
            buf.writeShort(CRLF);
        }
        if (date != null) {
            buf.writeBytes(date);
        }
        buf.writeShort(CRLF);
    }

    private static byte[] okPrefix(boolean http10, AsciiString type) {
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i] == type) {
                return OK_PREFIXES[http10 ? TYPES.length + i : i];
            }
        }
        return null;
    }

    private static int digits(int n) {
        int d = 1;
        while (n >= 10) {
            n /= 10;
            d++;
        }
        return d;
    }

    private static void writeDigits(ByteBuf buf, int n) {
        int end = buf.writerIndex() + digits(n);
        buf.ensureWritable(end - buf.writerIndex());
        for (int i = end - 1; i >= buf.writerIndex(); i--) {
            buf.setByte(i, '0' + n % 10);
            n /= 10;
        }
        buf.writerIndex(end);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
