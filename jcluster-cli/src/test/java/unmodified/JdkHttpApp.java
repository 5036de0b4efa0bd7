package unmodified;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An application that knows nothing of jcluster: the JDK's HttpServer on {@code --port P} (127.0.0.1) answering
 * {@code pid=PID worker=JCLUSTER_WORKER_ID slot=JCLUSTER_SLOT}. Once it serves, it binds a UDP socket and a
 * client socket (each to an ephemeral port, then closes them) and prints what they got, so a test sees they were
 * left alone. A BindException on its own bind is its error path: it prints it and exits with status 3.
 */
public final class JdkHttpApp {
    private JdkHttpApp() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[1]);
        InetAddress lo = InetAddress.getLoopbackAddress();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(lo, port), 0);
        } catch (BindException e) {
            System.out.println("app's own error path: " + e);
            System.exit(3);
            return;
        }
        String body = "pid=" + ProcessHandle.current().pid() + " worker=" + System.getenv("JCLUSTER_WORKER_ID")
                + " slot=" + System.getenv("JCLUSTER_SLOT");
        server.createContext("/", ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Connection", "close");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
        System.out.println("serving on " + server.getAddress());
        untouched(lo, server.getAddress().getPort());
    }

    /**
     * A UDP socket and a client socket, each bound to an ephemeral port: served by the primary they would be
     * listening TCP sockets, and neither the datagram bind nor the connect would work.
     */
    static void untouched(InetAddress lo, int port) throws IOException {
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, 0));
             Socket client = new Socket()) {
            client.bind(new InetSocketAddress(lo, 0));
            client.connect(new InetSocketAddress(lo, port), 5000);
            System.out.println("untouched: udp bound to " + udp.getLocalPort() + ", client bound to "
                    + client.getLocalPort() + " and connected to " + client.getPort());
        }
    }
}
