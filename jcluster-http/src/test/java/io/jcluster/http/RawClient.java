package io.jcluster.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A raw HTTP/1.1 client on a real socket: sends bytes as they are and reads the answers byte for byte, framing
 * each response itself (Content-Length, chunked, none for HEAD, 1xx, 204, 304) so that a response that says
 * more or less than it sends shows up as garbage in the next one. Reads time out after 10 s.
 */
final class RawClient implements AutoCloseable {
    /** One response as it came: the head (status line and header lines, without the blank line) and the body. */
    record Answer(String raw, int status, String head, String body) {
        /** The values of header {@code name} (case-insensitive), in order. */
        List<String> headers(String name) {
            List<String> values = new ArrayList<>();
            String[] lines = head.split("\r\n");
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0 && lines[i].substring(0, colon).equalsIgnoreCase(name)) {
                    values.add(lines[i].substring(colon + 1).trim());
                }
            }
            return values;
        }

        String header(String name) {
            List<String> v = headers(name);
            return v.isEmpty() ? null : v.get(0);
        }
    }

    final Socket socket;
    /** The socket's input, buffered: read the rest of the stream through it. */
    final InputStream in;

    RawClient(int port) throws IOException {
        this(port, 0);
    }

    /** {@code receiveBuffer}: SO_RCVBUF set before connecting (0: the default). */
    RawClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
    }

    RawClient send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] raw) throws IOException {
        socket.getOutputStream().write(raw);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads one response; {@code toHead}: it answers a HEAD request (no body whatever the headers say). */
    Answer read(boolean toHead) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        String head = readHead(raw);
        if (head == null) {
            throw new IOException("the connection closed before a response (" + raw.size() + " bytes)");
        }
        String statusLine = head.substring(0, head.indexOf('\r') < 0 ? head.length() : head.indexOf('\r'));
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Answer noBody = new Answer(raw.toString(StandardCharsets.ISO_8859_1), status, head, "");
        if (toHead || status < 200 || status == 204 || status == 304) {
            return noBody;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String te = noBody.header("transfer-encoding");
        String cl = noBody.header("content-length");
        if (te != null && te.toLowerCase(Locale.ROOT).endsWith("chunked")) {
            while (true) {
                String sizeLine = readLine(raw);
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!readLine(raw).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                byte[] data = readN(size, raw);
                body.writeBytes(data);
                if (!readLine(raw).isEmpty()) {
                    throw new IOException("chunk data not followed by CRLF");
                }
            }
        } else if (cl != null) {
            body.writeBytes(readN(Integer.parseInt(cl), raw));
        } else {
            body.writeBytes(in.readAllBytes());
            raw.writeBytes(body.toByteArray());
        }
        return new Answer(raw.toString(StandardCharsets.ISO_8859_1), status, head,
                body.toString(StandardCharsets.ISO_8859_1));
    }

    Answer read() throws IOException {
        return read(false);
    }

    /**
     * True when the server closed the connection: end of stream (or a reset after it) within the read timeout,
     * with no more bytes before it.
     */
    boolean closedByServer() throws IOException {
        try {
            int b = in.read();
            if (b >= 0) {
                throw new IOException("expected the end of the stream, got more bytes: " + (char) b
                        + new String(in.readNBytes(Math.min(in.available(), 200)), StandardCharsets.ISO_8859_1));
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset after our own unread input: closed all the same
        }
    }

    /** The head up to the blank line, or null at end of stream before it. */
    private String readHead(ByteArrayOutputStream raw) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            raw.write(b);
            sb.append((char) b);
            int n = sb.length();
            if (n >= 4 && sb.charAt(n - 4) == '\r' && sb.charAt(n - 3) == '\n' && sb.charAt(n - 2) == '\r'
                    && sb.charAt(n - 1) == '\n') {
                return sb.substring(0, n - 4);
            }
        }
    }

    private String readLine(ByteArrayOutputStream raw) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream in a line: " + sb);
            }
            raw.write(b);
            if (b == '\n' && sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r') {
                return sb.substring(0, sb.length() - 1);
            }
            sb.append((char) b);
        }
    }

    private byte[] readN(int n, ByteArrayOutputStream raw) throws IOException {
        byte[] data = in.readNBytes(n);
        if (data.length < n) {
            throw new IOException("end of stream after " + data.length + " of " + n + " body bytes");
        }
        raw.writeBytes(data);
        return data;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
