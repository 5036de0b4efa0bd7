package io.jcluster.cli.apps;

import io.jcluster.cluster.Cluster;
import io.jcluster.http.App;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application the CLI tests cluster: an HTTP app on {@link App} whose routes misbehave on demand.
 *
 * <p>Arguments: {@code --port P} (0: any), {@code --print N} (after listening, print N numbered lines as fast
 * as possible), {@code --fail-if-exists FILE} (exit 1 at boot while FILE exists: a broken deploy),
 * {@code --own-port P} (also serve {@code /} on its own server socket bound to 127.0.0.1:P, not the cluster's, as an
 * unmodified server would; exit 1 on the {@link java.net.BindException} when another process holds P),
 * {@code --fail-boot I:G} (exit 1 at boot as instance I of generation G, from {@code JCLUSTER_INSTANCE} and
 * {@code JCLUSTER_GENERATION}: a deploy that boots once and fails on its next fork) and {@code --port off} (never
 * listen through the cluster), {@code --ignore-term} (SIGTERM does nothing: a worker that will not stop).
 * Routes: {@code /} (pid, worker id, generation), {@code /slow?ms=N} and {@code /block?ms=N} (hold the event
 * loop; {@code /slow} from 1 s on prints {@code TestApp PID holds a request for N ms} first), {@code /print?n=N} (print N numbered lines, as {@code --print} does, then answer), {@code /alloc?mb=N} (allocate and keep N MB, touched), {@code /exit} (the worker exits with status 3).
 */
public final class TestApp {
    private static final List<byte[]> HOARD = new ArrayList<>();

    private TestApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        int print = 0;
        Path failIfExists = null;
        int ownPort = -1;
        String failBoot = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> {
                    String p = args[++i];
                    port = p.equals("off") ? -1 : Integer.parseInt(p);
                }
                case "--print" -> print = Integer.parseInt(args[++i]);
                case "--fail-if-exists" -> failIfExists = Path.of(args[++i]);
                case "--own-port" -> ownPort = Integer.parseInt(args[++i]);
                case "--fail-boot" -> failBoot = args[++i];
                case "--ignore-term" -> sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> System.out.println(
                        "TestApp " + ProcessHandle.current().pid() + " ignores SIG" + sig.getName()));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        long pid = ProcessHandle.current().pid();
        String gen = System.getenv("JCLUSTER_GENERATION");
        if (failIfExists != null && Files.exists(failIfExists)) {
            System.err.println("TestApp " + pid + ": refusing to boot, " + failIfExists + " exists");
            System.exit(1);
        }
        if (failBoot != null && failBoot.equals(System.getenv("JCLUSTER_INSTANCE") + ":" + gen)) {
            System.err.println("TestApp " + pid + ": refusing to boot as instance:generation " + failBoot);
            System.exit(1);
        }
        if (ownPort >= 0) {
            serveOwnPort(ownPort, pid, gen);
        }
        if (port < 0) {
            return;
        }
        App app = App.create();
        app.get("/", (req, res) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", pid);
            m.put("worker", Cluster.worker() == null ? 0 : Cluster.worker().id());
            m.put("gen", gen);
            m.put("instance", System.getenv("JCLUSTER_INSTANCE"));
            res.json(m);
        });
        app.get("/slow", (req, res) -> {
            long ms = Long.parseLong(req.query("ms"));
            if (ms >= 1000) {
                System.out.println("TestApp " + pid + " holds a request for " + ms + " ms");
            }
            Thread.sleep(ms);
            res.json(Map.of("pid", pid, "gen", String.valueOf(gen)));
        });
        app.get("/block", (req, res) -> {
            Thread.sleep(Long.parseLong(req.query("ms")));
            res.json(Map.of("pid", pid));
        });
        app.get("/print", (req, res) -> {
            int n = Integer.parseInt(req.query("n"));
            String id = Cluster.worker() == null ? "0" : Integer.toString(Cluster.worker().id());
            for (int i = 0; i < n; i++) {
                System.out.println("line " + id + " " + i + " of worker " + id + " padding-padding-padding");
            }
            res.json(Map.of("pid", pid, "printed", n));
        });
        app.get("/exit", (req, res) -> {
            res.json(Map.of("pid", pid));
            new Thread(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.exit(3);
            }).start();
        });
        app.get("/alloc", (req, res) -> {
            int mb = Integer.parseInt(req.query("mb"));
            for (int i = 0; i < mb; i++) {
                byte[] b = new byte[1 << 20];
                for (int j = 0; j < b.length; j += 4096) {
                    b[j] = 1;
                }
                HOARD.add(b);
            }
            res.json(Map.of("pid", pid, "heldMb", HOARD.size()));
        });
        if (Cluster.worker() != null) {
            Cluster.worker().onMessage(m -> System.out.println("TestApp " + pid + " got message " + m));
        }
        int lines = print;
        app.listen(port, () -> {
            System.out.println("TestApp " + pid + " listening, generation " + gen);
            if (lines > 0) {
                Thread t = new Thread(() -> {
                    String id = Cluster.worker() == null ? "0" : Integer.toString(Cluster.worker().id());
                    for (int i = 0; i < lines; i++) {
                        System.out.println("line " + id + " " + i + " of worker " + id + " padding-padding-padding");
                    }
                    System.out.println("TestApp " + pid + " printed " + lines + " lines");
                }, "printer");
                t.start();
            }
        });
    }

    /** Binds 127.0.0.1:{@code port} itself and answers each connection with one HTTP response; exit 1 if it cannot bind. */
    private static void serveOwnPort(int port, long pid, String gen) {
        ServerSocket server;
        try {
            server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            System.err.println("TestApp " + pid + ": cannot bind its own port " + port + ": " + e);
            System.exit(1);
            return;
        }
        System.out.println("TestApp " + pid + " listening on its own port " + port + ", generation " + gen);
        Thread t = new Thread(() -> {
            byte[] body = ("{\"pid\":" + pid + ",\"gen\":\"" + gen + "\"}").getBytes(StandardCharsets.UTF_8);
            for (;;) {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().write(body);
                } catch (IOException e) {
                    // the next connection
                }
            }
        }, "own-port");
        t.start(); // not a daemon: an app serving only on its own port lives as long as it
    }
}
