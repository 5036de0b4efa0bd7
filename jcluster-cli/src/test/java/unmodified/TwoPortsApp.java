package unmodified;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * An application that knows nothing of jcluster and serves two ports of 127.0.0.1 ({@code --port A --admin-port B}),
 * each with a {@link ServerSocketChannel}: A non-blocking under a {@link Selector}, B blocking in its own thread.
 * Each connection gets one line, {@code pid=PID port=LOCALPORT}, and is closed.
 */
public final class TwoPortsApp {
    private TwoPortsApp() {
    }

    public static void main(String[] args) throws IOException {
        int a = Integer.parseInt(args[1]);
        int b = Integer.parseInt(args[3]);
        InetAddress lo = InetAddress.getLoopbackAddress();
        ServerSocketChannel selected = ServerSocketChannel.open();
        selected.bind(new InetSocketAddress(lo, a));
        selected.configureBlocking(false);
        ServerSocketChannel blocking = ServerSocketChannel.open();
        blocking.bind(new InetSocketAddress(lo, b));
        System.out.println("serving on " + selected.getLocalAddress() + " (selector) and " + blocking.getLocalAddress()
                + " (blocking)");
        Thread admin = new Thread(() -> {
            try {
                while (true) {
                    answer(blocking.accept());
                }
            } catch (IOException e) {
                System.out.println("blocking accept loop ended: " + e);
            }
        }, "admin-accept");
        admin.start();
        Selector selector = Selector.open();
        selected.register(selector, SelectionKey.OP_ACCEPT);
        while (true) {
            selector.select();
            selector.selectedKeys().clear();
            SocketChannel c;
            while ((c = selected.accept()) != null) {
                c.configureBlocking(true);
                answer(c);
            }
        }
    }

    private static void answer(SocketChannel c) throws IOException {
        try (c) {
            int port = ((InetSocketAddress) c.getLocalAddress()).getPort();
            c.write(ByteBuffer.wrap(("pid=" + ProcessHandle.current().pid() + " port=" + port + "\n")
                    .getBytes(StandardCharsets.US_ASCII)));
        }
    }
}
