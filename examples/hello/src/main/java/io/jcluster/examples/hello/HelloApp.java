package io.jcluster.examples.hello;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.RestartPolicy;
import io.jcluster.http.App;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seed's program in Java. Step 1 ({@code --single}): one Express-style server on port 8000. Step 2 (the
 * default): the same app clustered, one worker per CPU, the primary handing connections out round-robin and
 * replacing workers that die.
 *
 * <p>Arguments: {@code [--port P] [--host H] [--workers N] [--single]} (without {@code --host}: every interface).
 */
public final class HelloApp {
    private HelloApp() {
    }

    public static void main(String[] args) {
        Options o = Options.parse(args);
        if (o.single) {
            single(o.host, o.port);
        } else if (Cluster.isPrimary()) {
            primary(o);
        } else {
            worker(o.host, o.port);
        }
    }

    /** Step 1: a simple Express server. */
    static void single(String host, int port) {
        App app = App.create();
        app.get("/", (req, res) -> res.json(Map.of("message", "Hello from Express server")));
        listen(app, host, port, () -> System.out.println("Server started on port " + port))
                .whenComplete((addr, e) -> {
                    if (e != null) {
                        System.err.println("Error: " + rootMessage(e));
                        System.exit(1);
                    }
                });
    }

    /** Step 2, primary: fork a worker per CPU and report the ones that die (they are replaced). */
    static void primary(Options o) {
        System.out.println("Primary process " + ProcessHandle.current().pid() + " is running");
        Cluster.setupPrimary(new ClusterSettings()
                .mainClass(HelloApp.class.getName())
                .args(o.workerArgs())
                .restart(RestartPolicy.BACKOFF));
        Cluster.onExit((worker, status) -> System.out.println("Worker " + worker.pid() + " died"));
        Cluster.onMessage((worker, msg) -> {
            if (msg.has("listenError")) {
                // A port in use or forbidden is not fixed by restarting: say so once and stop.
                System.err.println("Error: " + msg.get("listenError").asText());
                Cluster.shutdown(java.time.Duration.ofSeconds(5)).thenRun(() -> System.exit(1));
            }
        });
        for (int i = 0; i < o.workers; i++) {
            Cluster.fork();
        }
    }

    /** Step 2, worker: the same Express app, sharing the primary's port. */
    static void worker(String host, int port) {
        long pid = ProcessHandle.current().pid();
        App app = App.create();
        app.get("/", (req, res) -> res.json(Map.of("message", "Hello from worker " + pid)));
        listen(app, host, port, () -> System.out.println("Worker " + pid + " started"))
                .whenComplete((addr, e) -> {
                    if (e != null) {
                        Cluster.worker().send(Map.of("listenError", rootMessage(e)));
                    }
                });
    }

    private static java.util.concurrent.CompletableFuture<java.net.InetSocketAddress> listen(App app, String host, int port,
                                                                                           Runnable onListening) {
        return host == null ? app.listen(port, onListening) : app.listen(host, port, onListening);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** The example's arguments. */
    public static final class Options {
        public int port = 8000;
        /** The address to listen on; null: every interface. */
        public String host;
        public int workers = Runtime.getRuntime().availableProcessors();
        public boolean single;

        public static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> o.port = Integer.parseInt(value(args, ++i, "--port"));
                    case "--host" -> o.host = value(args, ++i, "--host");
                    case "--workers" -> o.workers = Integer.parseInt(value(args, ++i, "--workers"));
                    case "--single" -> o.single = true;
                    default -> throw new IllegalArgumentException("unknown argument: " + args[i]
                            + " (expected --port P, --host H, --workers N, --single)");
                }
            }
            return o;
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[i];
        }

        List<String> workerArgs() {
            List<String> a = new ArrayList<>(List.of("--port", Integer.toString(port)));
            if (host != null) {
                a.addAll(List.of("--host", host));
            }
            return a;
        }
    }
}
