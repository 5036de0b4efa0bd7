package io.jcluster.examples.plain;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A service as a JVM team already has it, with no jcluster in it: the JDK's {@code HttpServer} on
 * {@code --port P} (default: the {@code PORT} environment variable, else 8080), answering
 * {@code {"message":"Hello from pid <pid>"}}; it stops its server on SIGTERM (its shutdown hook), as a framework
 * would. {@code jcluster start} clusters it unchanged.
 */
public final class PlainHttpApp {
    private PlainHttpApp() {
    }

    public static void main(String[] args) throws IOException {
        int port = port(args);
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 128);
        byte[] body = ("{\"message\":\"Hello from pid " + ProcessHandle.current().pid() + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(5), "plain-http-stop"));
        System.out.println("plain-http: serving on port " + server.getAddress().getPort());
    }

    private static int port(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--port")) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        String env = System.getenv("PORT");
        return env == null || env.isBlank() ? 8080 : Integer.parseInt(env.trim());
    }
}
