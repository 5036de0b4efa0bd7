package matrix.runner;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A tiny HTTP/1.1 client on 127.0.0.1 only: one connection, GETs, Content-Length or chunked or close-delimited. */
final class Http implements Closeable {
    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");

    /** The connection ended (EOF or reset) before the first byte of a response: a client may retry a GET. */
    static final class NoResponse extends IOException {
        NoResponse(String m, Throwable cause) {
            super(m, cause);
        }
    }

    record Resp(int status, String body, boolean serverCloses) {
        long pid() {
            Matcher m = PID.matcher(body);
            if (!m.find()) {
                throw new IllegalStateException("no pid in " + body);
            }
            return Long.parseLong(m.group(1));
        }
    }

    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;
    int served;

    Http(int port, int timeoutMillis) throws IOException {
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** One new connection, one {@code GET path} with {@code Connection: close}. */
    static Resp once(int port, String path, int timeoutMillis) throws IOException {
        try (Http h = new Http(port, timeoutMillis)) {
            return h.get(path, true);
        }
    }

    Resp get(String path, boolean close) throws IOException {
        String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
        try {
            out.write(req.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            throw new NoResponse("write failed: " + e, e);
        }
        String statusLine;
        try {
            statusLine = line(true);
        } catch (java.net.SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            throw new NoResponse("no response: " + e, e);
        }
        if (statusLine == null) {
            throw new NoResponse("EOF before a response", null);
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        boolean closes = close;
        for (String h = line(false); !h.isEmpty(); h = line(false)) {
            int colon = h.indexOf(':');
            String name = h.substring(0, colon).trim().toLowerCase();
            String value = h.substring(colon + 1).trim().toLowerCase();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> closes |= value.contains("close");
                default -> { }
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (long n = Long.parseLong(line(false).split(";")[0].trim(), 16); n > 0;
                 n = Long.parseLong(line(false).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes((int) n));
                line(false);
            }
            for (String t = line(false); !t.isEmpty(); t = line(false)) {
                // trailers
            }
        } else if (length >= 0) {
            byte[] b = in.readNBytes((int) length);
            if (b.length < length) {
                throw new EOFException("body cut at " + b.length + " of " + length);
            }
            body.write(b);
        } else {
            in.transferTo(body);
            closes = true;
        }
        served++;
        return new Resp(status, body.toString(StandardCharsets.UTF_8), closes);
    }

    /** A line without its CRLF; null at EOF before its first byte when {@code eofOk}. */
    private String line(boolean eofOk) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); ; c = in.read()) {
            if (c < 0) {
                if (eofOk && sb.length() == 0) {
                    return null;
                }
                throw new EOFException("EOF in a line: " + sb);
            }
            if (c == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) c);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
