package unmodified;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * An application that knows nothing of jcluster and is wrong: it binds its server socket on {@code --port P}
 * (127.0.0.1), says so, and exits with status 0 without ever accepting, as a server whose main returns too early
 * would.
 */
public final class BindThenExitApp {
    private BindThenExitApp() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[1]);
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        System.out.println("bound to port " + server.getLocalPort() + "; exiting");
        System.exit(0);
    }
}
