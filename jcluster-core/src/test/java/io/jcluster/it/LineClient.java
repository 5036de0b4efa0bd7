package io.jcluster.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking client of {@link TestCluster}'s line protocol, with timeouts on everything. */
final class LineClient implements AutoCloseable {
    private final Socket socket = new Socket();
    private final BufferedReader in;
    private final OutputStream out;

    LineClient(int port) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    /** Sends one line, returns the answer line (null if the server closed the connection). */
    String ask(String line) throws IOException {
        send(line);
        return in.readLine();
    }

    void send(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    String read() throws IOException {
        return in.readLine();
    }

    static String askOnce(int port, String line) throws IOException {
        try (LineClient c = new LineClient(port)) {
            return c.ask(line);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
