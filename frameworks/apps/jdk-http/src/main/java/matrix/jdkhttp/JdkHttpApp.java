package matrix.jdkhttp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** The JDK's own HttpServer on 127.0.0.1 --port P: GET / and GET /slow?ms=N. */
public final class JdkHttpApp {
    private static final long PID = ProcessHandle.current().pid();

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[indexOf(args, "--port") + 1]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", ex -> send(ex, "{\"pid\":" + PID + ",\"framework\":\"jdk-http\"}"));
        server.createContext("/slow", ex -> {
            long ms = ms(ex.getRequestURI().getQuery());
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(ex, "{\"pid\":" + PID + ",\"slept\":" + ms + "}");
        });
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.start();
        System.out.println("JDK HttpServer listening on " + server.getAddress());
    }

    private static void send(HttpExchange ex, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    static long ms(String query) {
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith("ms=")) {
                    return Long.parseLong(kv.substring(3));
                }
            }
        }
        return 100;
    }

    static int indexOf(String[] args, String flag) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(flag)) {
                return i;
            }
        }
        throw new IllegalArgumentException("usage: " + flag + " N");
    }
}
