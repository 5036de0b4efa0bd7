package io.jcluster.reliability;

import io.jcluster.reliability.LoadClient.Config;
import io.jcluster.reliability.LoadClient.Phase;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/** One socket of the {@link LoadClient} and a small response parser (status line, headers, Content-Length body). */
final class LoadConnection {
    /** One answer read off a connection: its status, and whether the server will close the connection after it. */
    record Answer(int status, boolean close) { }

    /** A request that got no complete answer: where it failed, and how many bytes of an answer had come. */
    static final class RequestFailed extends Exception {
        final Phase phase;
        final int bytes;

        RequestFailed(Phase phase, int bytes, IOException cause) {
            super(cause);
            this.phase = phase;
            this.bytes = bytes;
        }
    }

    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final long connectNanos;
    final int localPort;
    final String source;
    final byte[] buf = new byte[16 * 1024];
    int pos;
    int lim;
    int received;
    int answered;

    private LoadConnection(Socket socket, String source) throws IOException {
        this.socket = socket;
        this.source = source;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.connectNanos = System.nanoTime();
        this.localPort = socket.getLocalPort();
    }

    static LoadConnection open(Config config, String source) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(config.readTimeoutMs());
            if (config.sourceAddresses() > 1) {
                s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            }
            s.connect(new InetSocketAddress(config.host(), config.port()), config.readTimeoutMs());
            return new LoadConnection(s, source);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    Answer exchange(byte[] request) throws RequestFailed {
        received = 0;
        try {
            out.write(request);
            out.flush();
        } catch (IOException e) {
            throw new RequestFailed(Phase.WRITE, 0, e);
        }
        try {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean close = false;
            String h;
            while (!(h = line()).isEmpty()) {
                int colon = h.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
                    close = true;
                }
            }
            if (length < 0) {
                throw new IOException("no Content-Length in a response of status " + status);
            }
            skip(length);
            return new Answer(status, close);
        } catch (IOException | RuntimeException e) {
            IOException io = e instanceof IOException x ? x : new IOException(e.toString(), e);
            throw new RequestFailed(received == 0 ? Phase.NO_RESPONSE : Phase.PARTIAL, received, io);
        }
    }

    private int next() throws IOException {
        if (pos == lim) {
            int n = in.read(buf);
            if (n < 0) {
                throw new EOFException("connection closed after " + received + " response bytes");
            }
            pos = 0;
            lim = n;
            received += n;
        }
        return buf[pos++] & 0xFF;
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder(64);
        int c;
        while ((c = next()) != '\n') {
            if (c != '\r') {
                b.append((char) c);
            }
            if (b.length() > 16 * 1024) {
                throw new IOException("response line too long");
            }
        }
        return b.toString();
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            if (pos == lim) {
                next();
                pos--;
            }
            int take = (int) Math.min(n, lim - pos);
            pos += take;
            n -= take;
        }
    }

    void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
