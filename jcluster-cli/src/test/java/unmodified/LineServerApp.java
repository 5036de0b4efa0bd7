package unmodified;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An application that knows nothing of jcluster: a raw TCP line server (not HTTP) on a blocking
 * {@link ServerSocket}, {@code --host H --port P} (P may be 0: it prints the port it got). For each line a client
 * sends it answers {@code pid=PID echo=LINE}, until the client closes.
 */
public final class LineServerApp {
    private LineServerApp() {
    }

    public static void main(String[] args) throws IOException {
        InetAddress host = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[3]);
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(host, port));
        System.out.println("line server bound to port " + server.getLocalPort() + " on " + server.getInetAddress().getHostAddress());
        String pid = Long.toString(ProcessHandle.current().pid());
        while (true) {
            Socket s = server.accept();
            Thread t = new Thread(() -> serve(s, pid), "line-client");
            t.setDaemon(true);
            t.start();
        }
    }

    private static void serve(Socket s, String pid) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println("pid=" + pid + " echo=" + line);
            }
        } catch (IOException e) {
            System.out.println("client ended: " + e);
        }
    }
}
