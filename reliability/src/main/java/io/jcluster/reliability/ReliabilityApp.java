package io.jcluster.reliability;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.RestartPolicy;
import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.cluster.Worker;
import io.jcluster.http.App;
import io.jcluster.http.HttpOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cluster program the suite runs as a real process: the same main is the primary and every worker.
 *
 * <p>The primary prints one line per cluster event ({@code EVENT <name> <fields>}) and takes commands on
 * stdin: {@code fork}, {@code disconnect ID}, {@code kill ID SIGNAL}, {@code retire ID MS} (the graceful way out
 * that operations use: disconnect, SIGKILL at the deadline), {@code workers}, {@code shutdown}.
 * Each worker serves HTTP on the shared port: {@code GET /} answers {@code {"pid":N}}, {@code GET /sleep?ms=N}
 * blocks its event loop N ms first (from 1 s on, the worker says so first: {@code EVENT sleeping PID MS}),
 * {@code POST /echo} echoes the body.
 *
 * <p>Arguments: {@code [--port P] [--workers N] [--restart off|backoff|chaos|boot|boot-loaded] [--policy rr|none]
 * [--worker-mode http|sleepy:MS|throw|throw-after-init] [--headers-timeout MS] [--shutdown-timeout MS]}.
 * <ul>
 *   <li>{@code chaos}: restart at once after a worker served 1 s (kill -9 every 2 s is not a crash loop);
 *   <li>{@code boot}: at most 3 restarts a slot in 30 s, back-off 200 ms doubling to 2 s ({@code boot-loaded}: the
 *       same in 180 s, for a loaded machine where four JVM boots may take longer than 30 s);
 *   <li>{@code sleepy:MS}: the worker sleeps MS before it touches the cluster API (the IPC socket is then
 *       open with nobody on it: the window the security test uses);
 *   <li>{@code throw}: the worker's main throws before touching the cluster API;
 *       {@code throw-after-init}: after (the worker is connected when its main dies).
 * </ul>
 */
public final class ReliabilityApp {
    public static final String BOOM = "boom: the configuration could not be loaded";

    private ReliabilityApp() {
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        // Decide the role without touching io.jcluster.cluster.Cluster: its class initializer connects a
        // worker to its primary, and the sleepy and throw modes must act before that.
        boolean worker = System.getenv("JCLUSTER_IPC") != null;
        if (worker) {
            worker(o);
        } else {
            primary(o);
        }
    }

    // ---- primary ----

    private static void primary(Options o) throws Exception {
        Cluster.setupPrimary(new ClusterSettings()
                .mainClass(ReliabilityApp.class.getName())
                .restart(o.restartPolicy())
                .policy(o.policy.equals("none") ? SchedulingPolicy.NONE : SchedulingPolicy.RR)
                .shutdownTimeout(Duration.ofMillis(o.shutdownTimeoutMs)));
        Cluster.onFork(w -> event("fork", w.id(), w.pid()));
        Cluster.onOnline(w -> event("online", w.id(), w.pid()));
        Cluster.onListening((w, a) -> event("listening", w.id(), w.pid(), a.getPort()));
        Cluster.onDisconnect(w -> event("disconnect", w.id()));
        Cluster.onExit((w, st) -> event("exit", w.id(), w.pid(), st.code(), st.signal(), w.exitedAfterDisconnect()));
        Cluster.onMessage((w, m) -> event("message", w.id(), m.toString()));
        event("primary", ProcessHandle.current().pid());
        for (int i = 0; i < o.workers; i++) {
            Cluster.fork();
        }
        Thread commands = new Thread(ReliabilityApp::commands, "commands");
        commands.setDaemon(true); // the cluster keeps the JVM alive while it has workers, not stdin
        commands.start();
    }

    private static void commands() {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] c = line.trim().split(" ");
                try {
                    switch (c[0]) {
                        case "fork" -> Cluster.fork();
                        case "disconnect" -> worker(c[1]).disconnect();
                        case "kill" -> worker(c[1]).kill(c[2]);
                        case "retire" -> worker(c[1]).retire(Duration.ofMillis(Long.parseLong(c[2])));
                        case "workers" -> event("workers", Cluster.workers().keySet());
                        case "shutdown" -> Cluster.shutdown(Duration.ofSeconds(10)).thenRun(() -> event("stopped"));
                        case "" -> { }
                        default -> event("unknown-command", line);
                    }
                } catch (RuntimeException e) {
                    event("command-failed", line, e.toString());
                }
            }
        } catch (Exception e) {
            event("stdin-failed", e.toString());
        }
    }

    private static Worker worker(String id) {
        Worker w = Cluster.workers().get(Integer.parseInt(id));
        if (w == null) {
            throw new IllegalArgumentException("no worker " + id);
        }
        return w;
    }

    // ---- worker ----

    private static void worker(Options o) throws Exception {
        switch (o.workerMode) {
            case "throw" -> throw new IllegalStateException(BOOM);
            case "throw-after-init" -> {
                Cluster.worker(); // connects to the primary
                throw new IllegalStateException(BOOM);
            }
            default -> {
                if (o.workerMode.startsWith("sleepy:")) {
                    Thread.sleep(Long.parseLong(o.workerMode.substring(7)));
                }
            }
        }
        long pid = ProcessHandle.current().pid();
        byte[] hello = ("{\"pid\":" + pid + "}").getBytes(StandardCharsets.UTF_8);
        HttpOptions http = new HttpOptions();
        if (o.headersTimeoutMs > 0) {
            http.headersTimeout(Duration.ofMillis(o.headersTimeoutMs));
        }
        App app = App.create(http);
        app.get("/", (req, res) -> res.type("json").send(hello));
        app.get("/sleep", (req, res) -> {
            String ms = req.query("ms");
            long sleep = ms == null ? 10 : Long.parseLong(ms);
            if (sleep >= 1000) {
                event("sleeping", pid, sleep); // a hold: the scenario waits for its loop to be in here
            }
            Thread.sleep(sleep);
            res.type("json").send(hello);
        });
        app.post("/echo", (req, res) -> res.type("bin").send(req.bodyBytes()));
        app.listen(o.port).whenComplete((addr, e) -> {
            if (e != null) {
                System.err.println("LISTEN-ERROR " + e.getMessage());
                Cluster.worker().send(Map.of("listenError", String.valueOf(e.getMessage())));
            }
        });
    }

    static void event(String name, Object... fields) {
        StringBuilder b = new StringBuilder("EVENT ").append(name);
        for (Object f : fields) {
            b.append(' ').append(f);
        }
        System.out.println(b);
    }

    /** The program's arguments. */
    static final class Options {
        int port = 8000;
        int workers = 2;
        String restart = "backoff";
        String policy = "rr";
        String workerMode = "http";
        long headersTimeoutMs;
        long shutdownTimeoutMs = 10_000;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--port" -> o.port = Integer.parseInt(v);
                    case "--workers" -> o.workers = Integer.parseInt(v);
                    case "--restart" -> o.restart = v;
                    case "--policy" -> o.policy = v;
                    case "--worker-mode" -> o.workerMode = v;
                    case "--headers-timeout" -> o.headersTimeoutMs = Long.parseLong(v);
                    case "--shutdown-timeout" -> o.shutdownTimeoutMs = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
                i++;
            }
            return o;
        }

        RestartPolicy restartPolicy() {
            return switch (restart) {
                case "off" -> RestartPolicy.NEVER;
                case "backoff" -> RestartPolicy.BACKOFF;
                case "chaos" -> RestartPolicy.BACKOFF.withResetAfter(Duration.ofSeconds(1))
                        .withMaxRestarts(10_000, Duration.ofSeconds(60));
                case "boot" -> RestartPolicy.BACKOFF.withMaxRestarts(3, Duration.ofSeconds(30))
                        .withBackoff(Duration.ofMillis(200), 2, Duration.ofSeconds(2));
                case "boot-loaded" -> RestartPolicy.BACKOFF.withMaxRestarts(3, Duration.ofSeconds(180))
                        .withBackoff(Duration.ofMillis(200), 2, Duration.ofSeconds(2));
                default -> throw new IllegalArgumentException("unknown restart policy " + restart);
            };
        }

        List<String> toArgs() {
            List<String> a = new ArrayList<>();
            a.addAll(List.of("--port", Integer.toString(port), "--workers", Integer.toString(workers),
                    "--restart", restart, "--policy", policy, "--worker-mode", workerMode,
                    "--shutdown-timeout", Long.toString(shutdownTimeoutMs)));
            if (headersTimeoutMs > 0) {
                a.addAll(List.of("--headers-timeout", Long.toString(headersTimeoutMs)));
            }
            return a;
        }
    }
}
