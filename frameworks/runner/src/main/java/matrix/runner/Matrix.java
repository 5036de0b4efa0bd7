package matrix.runner;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The framework matrix: for each app, the real {@code bin/jcluster} starts 2 workers and this program measures,
 * with its own client on 127.0.0.1 ({@link Http}): distinct pids; the spread of 1,000 new connections; kill -9 of
 * a worker until a new pid answers; {@code reload} under keep-alive load (failed requests); {@code stop} (no
 * process left in /proc); a port in use (exit status, the app's own error, the CLI's message).
 *
 * <p>Usage: {@code Matrix --root REPO --frameworks DIR --out FILE.md --logs DIR [--jdk25 JAVA_HOME] [--cases a,b]}.
 * Every step is bounded in time; every process started is reaped, also on failure and at exit.
 */
public final class Matrix {
    static final Duration UP = Duration.ofSeconds(180);
    static final int DISTRIBUTION_CONNECTIONS = 1000;
    static final int CLIENTS = 8;
    /** The reload load's requests take this long in the app: a cut one fails late, a closed idle connection at once. */
    static final int SLOW_MS = 100;
    /** A failure this soon after the request was written: the server closed the connection without processing it. */
    static final int CUT_MS = 10;

    private record Duration(long millis) {
        static Duration ofSeconds(long s) {
            return new Duration(s * 1000);
        }
    }

    record Case(String name, String jar, IntFunction<List<String>> args, boolean jdk25) {
    }

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    private final Path root;
    private final Path frameworks;
    private final Path logs;
    private final String jdk25;
    private final Path home;
    private final Path cds;
    static boolean cdsOn;

    private Matrix(Path root, Path frameworks, Path logs, String jdk25) throws IOException {
        this.root = root;
        this.frameworks = frameworks;
        this.logs = logs;
        this.jdk25 = jdk25;
        Files.createDirectories(logs);
        this.home = Files.createTempDirectory("jcluster-matrix-home");
        this.cds = Files.createTempDirectory("jcluster-matrix-cds");
    }

    static List<Case> cases() {
        IntFunction<List<String>> port = p -> List.of("--port", Integer.toString(p));
        return List.of(
                new Case("spring-boot", "apps/spring-boot/target/app-spring-boot.jar",
                        p -> List.of("--server.port=" + p), false),
                new Case("jetty12", "apps/jetty12/target/app-jetty12.jar", port, false),
                new Case("vertx5-epoll", "apps/vertx5/target/app-vertx5.jar",
                        p -> List.of("--port", Integer.toString(p), "--transport", "epoll"), false),
                new Case("vertx5-epoll-netty4.2.18", "apps/vertx5-netty418/target/app-vertx5-netty418.jar",
                        p -> List.of("--port", Integer.toString(p), "--transport", "epoll"), false),
                new Case("vertx5-nio", "apps/vertx5/target/app-vertx5.jar",
                        p -> List.of("--port", Integer.toString(p), "--transport", "nio"), false),
                new Case("javalin", "apps/javalin/target/app-javalin.jar", port, false),
                new Case("undertow", "apps/undertow/target/app-undertow.jar", port, false),
                new Case("jdk-http", "apps/jdk-http/target/app-jdk-http.jar", port, false),
                new Case("netty-iouring", "apps/netty-iouring/target/app-netty-iouring.jar", port, false),
                new Case("spring-boot@jdk25", "apps/spring-boot/target/app-spring-boot.jar",
                        p -> List.of("--server.port=" + p), true),
                new Case("jdk-http@jdk25", "apps/jdk-http/target/app-jdk-http.jar", port, true));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            a.put(argv[i], argv[i + 1]);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Matrix::reap)));
        Matrix m = new Matrix(Path.of(a.get("--root")), Path.of(a.get("--frameworks")), Path.of(a.get("--logs")),
                a.get("--jdk25"));
        cdsOn = "on".equals(a.get("--cds"));
        Set<String> only = a.containsKey("--cases") ? Set.of(a.get("--cases").split(",")) : null;
        List<Map<String, String>> rows = new ArrayList<>();
        for (Case c : cases()) {
            if (only != null && !only.contains(c.name())) {
                continue;
            }
            if (c.jdk25() && m.jdk25 == null) {
                continue;
            }
            Map<String, String> r = new LinkedHashMap<>();
            r.put("framework", c.name());
            r.put("load before", loadAvg());
            System.out.println("=== " + c.name() + " (load " + r.get("load before") + ")");
            try {
                m.run(c, r);
            } catch (Throwable t) {
                r.put("error", t.toString());
                System.out.println("  ERROR " + t);
            }
            r.put("load after", loadAvg());
            rows.add(r);
            r.forEach((k, v) -> System.out.println("  " + k + ": " + v));
            Files.writeString(Path.of(a.get("--out")), report(rows, a), StandardCharsets.UTF_8);
        }
        System.out.println("wrote " + a.get("--out"));
        System.exit(0);
    }

    // ---------------------------------------------------------------------------------------------- one case

    private void run(Case c, Map<String, String> r) throws Exception {
        Path jar = frameworks.resolve(c.jar());
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("not built: " + jar);
        }
        String name = "mx-" + c.name().replace('@', '-');
        int port = freePort();
        Path log = logs.resolve(c.name() + ".primary.log");
        List<String> start = new ArrayList<>(List.of("start", jar.toString(), "--name", name, "-i", "2", "--"));
        start.addAll(c.args().apply(port));
        long t0 = System.nanoTime();
        Process primary = launch(c, start, log);
        try {
            Matcher up = awaitLine(primary, log, Pattern.compile("is up: \\d+ worker\\(s\\)"), UP);
            if (up == null) {
                r.put("up", "NO (exit " + exitOf(primary) + "): " + tail(log, 6));
                return;
            }
            r.put("up (s)", String.format("%.1f", (System.nanoTime() - t0) / 1e9));

            // 1. two workers, distinct pids
            Set<Long> pids = pids(port, 2, 20_000);
            r.put("distinct pids", (pids.size() == 2 ? "y " + pids : "n " + pids) + "; processes under the primary: "
                    + primary.toHandle().descendants().map(h -> Long.toString(h.pid())).collect(Collectors.joining(" ")));

            if (pids.isEmpty()) {
                r.put("distribution", "not measured: no worker answered GET / within 20 s");
            } else {
                // 2. 1,000 new connections (Connection: close) from 8 concurrent clients
                r.put("distribution", distribution(port));

                // 3. kill -9 of a worker: ms until a pid not seen before answers
                r.put("kill -9 -> new pid answers (ms)", kill(port, pids, primary));

                // 4. reload under keep-alive load
                reload(c, name, port, log, r);
            }

            // 5. stop: no process left
            stop(c, name, primary, r);
        } finally {
            reap(primary);
        }
        r.put("worker warnings", warnings(log));

        // 6. port in use
        portInUse(c, jar, name + "-taken", r);
    }

    /** GETs (new connections) until {@code want} distinct pids answered or {@code millis} passed. */
    private static Set<Long> pids(int port, int want, long millis) {
        Set<Long> pids = new TreeSetLong();
        long deadline = System.currentTimeMillis() + millis;
        while (pids.size() < want && System.currentTimeMillis() < deadline) {
            try {
                pids.add(Http.once(port, "/", 5000).pid());
            } catch (Exception e) {
                sleep(20);
            }
        }
        return pids;
    }

    private static String distribution(int port) throws InterruptedException {
        Map<Long, LongAdder> per = new ConcurrentHashMap<>();
        AtomicInteger left = new AtomicInteger(DISTRIBUTION_CONNECTIONS);
        LongAdder failed = new LongAdder();
        long deadline = System.currentTimeMillis() + 120_000;
        long t0 = System.nanoTime();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            ts.add(started(() -> {
                while (left.getAndDecrement() > 0 && System.currentTimeMillis() < deadline) {
                    try {
                        per.computeIfAbsent(Http.once(port, "/", 10_000).pid(), k -> new LongAdder()).increment();
                    } catch (Exception e) {
                        failed.increment();
                    }
                }
            }));
        }
        for (Thread t : ts) {
            t.join(130_000);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long total = per.values().stream().mapToLong(LongAdder::sum).sum();
        String shares = new TreeMap<>(per).entrySet().stream()
                .map(e -> String.format("%d: %d (%.1f%%)", e.getKey(), e.getValue().sum(), 100.0 * e.getValue().sum() / Math.max(1, total)))
                .collect(Collectors.joining(", "));
        return shares + String.format("; failed %d; %.0f conn/s", failed.sum(), total / secs);
    }

    /** SIGKILL to a worker that answers; ms until a process that was not running before it answers. */
    private static String kill(int port, Set<Long> before, Process primary) {
        long victim = before.iterator().next();
        Set<Long> known = new LinkedHashSet<>(before);
        primary.toHandle().descendants().forEach(h -> known.add(h.pid())); // also workers that never answered
        int failures = 0;
        long t0 = System.nanoTime();
        ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                long pid = Http.once(port, "/", 5000).pid();
                if (!known.contains(pid)) {
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    return ms + " (killed " + victim + ", new " + pid + "; " + failures + " failed requests meanwhile)";
                }
            } catch (Exception e) {
                failures++;
            }
            sleep(5);
        }
        return "NO new pid within 90 s (killed " + victim + "; " + failures + " failed requests)";
    }

    /** Keep-alive load: CLIENTS connections looping GET /slow?ms=SLOW_MS; a failed request reconnects. */
    private static final class Load {
        final LongAdder ok = new LongAdder();
        final Map<String, LongAdder> failed = new ConcurrentHashMap<>();
        final Set<Long> pids = ConcurrentHashMap.newKeySet();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong requests = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        final List<String> firstErrors = new ArrayList<>();

        Load(int port, long maxRequests, long maxMillis) {
            long deadline = System.currentTimeMillis() + maxMillis;
            for (int i = 0; i < CLIENTS; i++) {
                threads.add(started(() -> {
                    Http conn = null;
                    while (!stop.get() && System.currentTimeMillis() < deadline && requests.incrementAndGet() <= maxRequests) {
                        boolean reused = false;
                        long sent = System.nanoTime();
                        try {
                            if (conn == null) {
                                conn = new Http(port, 10_000);
                            }
                            reused = conn.served > 0;
                            sent = System.nanoTime();
                            Http.Resp resp = conn.get("/slow?ms=" + SLOW_MS, false);
                            if (resp.status() == 200) {
                                ok.increment();
                                pids.add(resp.pid());
                            } else {
                                fail("status " + resp.status(), null);
                            }
                            if (resp.serverCloses()) {
                                conn.close();
                                conn = null;
                            }
                        } catch (Exception e) {
                            long ms = (System.nanoTime() - sent) / 1_000_000;
                            String kind = e instanceof Http.NoResponse
                                    ? (reused ? "reused" : "new") + (ms < CUT_MS ? " connection closed as the request went out (<"
                                    + CUT_MS + " ms)" : " connection: in-flight request cut (no response after >=" + CUT_MS + " ms)")
                                    : e instanceof java.net.ConnectException ? "connect refused"
                                    : e instanceof java.net.SocketTimeoutException ? "timeout" : "cut mid-response";
                            fail(kind, e);
                            if (conn != null) {
                                conn.close();
                                conn = null;
                            }
                            sleep(2);
                        }
                    }
                    if (conn != null) {
                        conn.close();
                    }
                }));
            }
        }

        private void fail(String kind, Exception e) {
            failed.computeIfAbsent(kind, k -> new LongAdder()).increment();
            synchronized (firstErrors) {
                if (firstErrors.size() < 3) {
                    firstErrors.add(kind + (e == null ? "" : ": " + e));
                }
            }
        }

        long failures() {
            return failed.values().stream().mapToLong(LongAdder::sum).sum();
        }

        void finish() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(20_000);
            }
        }
    }

    /**
     * {@code jcluster reload} under keep-alive load. The load stops once the reload has ended, or once both workers
     * that served before it have left (replaced): an agent app's reload does not end by itself (FINDINGS.md, F2),
     * it goes on replacing its own replacements; that client is then killed and the failures counted are those of
     * the load while the two original workers were replaced.
     */
    private void reload(Case c, String name, int port, Path log, Map<String, String> r) throws Exception {
        Set<Long> before = pids(port, 2, 20_000);
        Load load = new Load(port, 2_000_000, 300_000);
        sleep(1500);
        long t0 = System.nanoTime();
        Path out = Files.createTempFile("jcluster-matrix-reload", ".log");
        Process reload = builder(c, List.of("reload", name)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        LIVE.add(reload);
        String how;
        try {
            long deadline = System.currentTimeMillis() + 240_000;
            Pattern left = Pattern.compile("\\(pid (\\d+)\\) stopped \\(replaced by worker \\d+ in a reload\\)");
            for (;;) {
                if (!reload.isAlive()) {
                    how = "exit " + reload.exitValue();
                    break;
                }
                Set<Long> gone = new java.util.HashSet<>();
                for (String l : Files.readAllLines(log)) {
                    Matcher m = left.matcher(l);
                    if (m.find()) {
                        gone.add(Long.parseLong(m.group(1)));
                    }
                }
                if (gone.containsAll(before)) {
                    sleep(300);
                    how = reload.isAlive() ? "still running once both old workers were replaced (killed: F2)"
                            : "exit " + reload.exitValue();
                    break;
                }
                if (System.currentTimeMillis() > deadline) {
                    how = "NOT done within 240 s (" + gone.size() + " of the 2 old workers left)";
                    break;
                }
                sleep(50);
            }
        } finally {
            reap(reload);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        sleep(1000);
        load.finish();
        long failures = load.failures();
        long total = load.ok.sum() + failures;
        Set<Long> after = pids(port, 2, 20_000);
        r.put("reload", String.format("%s; %d ms; failed %d / %d requests%s", how, ms, failures, total,
                failures == 0 ? "" : " " + load.failed.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().sum())
                        .collect(Collectors.joining(", ", "(", ")"))));
        r.put("reload pids", before + " -> " + after + (after.stream().anyMatch(before::contains) ? " (an old pid still answers!)" : ""));
        if (!load.firstErrors.isEmpty()) {
            r.put("reload first errors", String.join(" | ", load.firstErrors));
        }
        r.put("reload output", lastLines(Files.readString(out), 2));
        Files.deleteIfExists(out);
    }

    private void stop(Case c, String name, Process primary, Map<String, String> r) throws Exception {
        List<Long> all = new ArrayList<>();
        all.add(primary.pid());
        primary.toHandle().descendants().forEach(h -> all.add(h.pid()));
        long t0 = System.nanoTime();
        Cmd res = cmd(c, List.of("stop", name), 120_000);
        boolean exited = primary.waitFor(60, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 5000;
        List<Long> left = all;
        while (System.currentTimeMillis() < deadline && !(left = alive(all)).isEmpty()) {
            sleep(50);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        r.put("stop", String.format("%s: stop exit %d, start exit %s, %d ms, processes before %s, left %s",
                left.isEmpty() ? "clean y" : "clean n", res.exit, exited ? Integer.toString(primary.exitValue()) : "running",
                ms, all, left));
    }

    private void portInUse(Case c, Path jar, String name, Map<String, String> r) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Path log = logs.resolve(c.name() + ".port-in-use.log");
            List<String> start = new ArrayList<>(List.of("start", jar.toString(), "--name", name, "-i", "1", "--"));
            start.addAll(c.args().apply(port));
            Process p = launch(c, start, log);
            try {
                boolean ended = p.waitFor(UP.millis(), TimeUnit.MILLISECONDS);
                List<String> lines = Files.readAllLines(log);
                // The application's own lines: not the agent's (io.jcluster…) and not stack frames.
                String app = lines.stream().filter(l -> l.contains("[worker") && !l.contains("io.jcluster")
                                && !l.matches("^\\[worker \\d+ \\d+\\]\\s+at .*"))
                        .filter(l -> l.matches("(?i).*(BindException|in use|failed to start|failed to listen).*"))
                        .limit(2).map(Matrix::strip).collect(Collectors.joining(" / "));
                String cli = lines.stream().filter(l -> !l.contains("[worker")).filter(l -> l.contains("in use"))
                        .map(Matrix::strip).collect(Collectors.joining(" / "));
                r.put("port in use", (ended ? "exit " + p.exitValue() : "did not end in " + UP.millis() / 1000 + " s"));
                r.put("port in use: app's error", app.isEmpty() ? "(none seen)" : app);
                r.put("port in use: CLI", cli.isEmpty() ? "(none seen)" : cli);
                r.put("port in use: worker's end", lines.stream().filter(l -> l.matches(".*\\[primary \\d+\\] worker \\d+ \\(pid \\d+\\) (exited|died): .*"))
                        .map(Matrix::strip).collect(Collectors.joining(" / ")));
            } finally {
                reap(p);
            }
        }
    }

    // -------------------------------------------------------------------------------------------- processes

    private ProcessBuilder builder(Case c, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/jcluster").toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCLUSTER_HOME", home.toString());
        // Workers with the agent cannot write their first CDS archive (FINDINGS.md, F1): off unless --cds on, where
        // a private, initially empty directory shows the failure.
        pb.environment().put("JCLUSTER_CDS_DIR", cdsOn ? cds.toString() : "off");
        if (c.jdk25()) {
            // bin/jcluster runs the `java` on PATH; the CLI starts workers with the java that runs it.
            pb.environment().put("JAVA_HOME", jdk25);
            pb.environment().put("PATH", jdk25 + "/bin:" + System.getenv("PATH"));
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb;
    }

    private Process launch(Case c, List<String> args, Path log) throws IOException {
        Process p = builder(c, args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LIVE.add(p);
        return p;
    }

    private record Cmd(int exit, String out) {
    }

    private Cmd cmd(Case c, List<String> args, long millis) throws Exception {
        Path out = Files.createTempFile("jcluster-matrix-cmd", ".log");
        Process p = builder(c, args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        LIVE.add(p);
        try {
            if (!p.waitFor(millis, TimeUnit.MILLISECONDS)) {
                return new Cmd(-1, "did not end within " + millis + " ms: " + Files.readString(out));
            }
            return new Cmd(p.exitValue(), Files.readString(out));
        } finally {
            reap(p);
            Files.deleteIfExists(out);
        }
    }

    /** Kills a process and every descendant still there (SIGKILL), and waits for it. */
    static void reap(Process p) {
        List<ProcessHandle> ds = p.toHandle().descendants().toList();
        ds.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(p);
    }

    /** The pids among {@code pids} still in /proc and not zombies. */
    static List<Long> alive(List<Long> pids) {
        List<Long> left = new ArrayList<>();
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state != 'Z' && state != 'X') {
                    left.add(pid);
                }
            } catch (IOException gone) {
                // not in /proc
            }
        }
        return left;
    }

    private static Matcher awaitLine(Process p, Path log, Pattern re, Duration within) throws IOException {
        long deadline = System.currentTimeMillis() + within.millis();
        while (System.currentTimeMillis() < deadline) {
            for (String l : Files.readAllLines(log)) {
                Matcher m = re.matcher(l);
                if (m.find()) {
                    return m;
                }
            }
            if (!p.isAlive()) {
                return null;
            }
            sleep(50);
        }
        return null;
    }

    private static String exitOf(Process p) {
        return p.isAlive() ? "still running" : Integer.toString(p.exitValue());
    }

    /** Distinct lines with "WARNING" in them, from the workers. */
    private static String warnings(Path log) throws IOException {
        List<String> w = Files.readAllLines(log).stream().filter(l -> l.contains("[worker") && l.contains("WARNING"))
                .map(l -> strip(l).replaceFirst("^\\[worker \\d+ \\d+\\]\\s*", "")).distinct().toList();
        return w.isEmpty() ? "none" : w.size() + ": " + String.join(" / ", w.subList(0, Math.min(4, w.size())));
    }

    /** A log line without its timestamp, trimmed to 300 characters. */
    private static String strip(String l) {
        String s = l.replaceFirst("^\\d{4}-\\d\\d-\\d\\d[T ][\\d:.]+\\s*", "").trim();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static String tail(Path log, int n) throws IOException {
        List<String> l = Files.readAllLines(log);
        return l.subList(Math.max(0, l.size() - n), l.size()).stream().map(Matrix::strip).collect(Collectors.joining(" / "));
    }

    private static String lastLines(String s, int n) {
        List<String> l = s.lines().filter(x -> !x.isBlank()).toList();
        return l.subList(Math.max(0, l.size() - n), l.size()).stream().map(Matrix::strip).collect(Collectors.joining(" / "));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static String loadAvg() {
        try {
            return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).trim().split(" ")).subList(0, 3));
        } catch (IOException e) {
            return "?";
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread started(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static final class TreeSetLong extends java.util.TreeSet<Long> {
    }

    // ------------------------------------------------------------------------------------------------ report

    private static String report(List<Map<String, String>> rows, Map<String, String> a) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Framework matrix, ").append(LocalDateTime.now().withNano(0)).append(", commit ")
                .append(a.getOrDefault("--commit", "?")).append("\n\n");
        sb.append("Host: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append("; runner on Java ").append(System.getProperty("java.version"))
                .append("; each case: `bin/jcluster start APP.jar -i 2`, 8 concurrent clients on 127.0.0.1.\n\n");
        sb.append("| framework | up (s) | 2 distinct pids | 1,000 new connections: each pid's share | kill -9 → new pid answers (ms) | reload: failed / total | stop clean | port in use: exit | worker warnings | load avg before → after |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, String> r : rows) {
            sb.append("| ").append(r.get("framework"))
                    .append(" | ").append(r.getOrDefault("up (s)", r.getOrDefault("up", r.getOrDefault("error", "?"))))
                    .append(" | ").append(first(r.get("distinct pids")))
                    .append(" | ").append(shares(r.get("distribution")))
                    .append(" | ").append(first(r.get("kill -9 -> new pid answers (ms)")))
                    .append(" | ").append(reloadCell(r.get("reload")))
                    .append(" | ").append(r.get("stop") == null ? "?" : r.get("stop").startsWith("clean y") ? "y" : "n")
                    .append(" | ").append(r.getOrDefault("port in use", "?"))
                    .append(" | ").append(r.get("worker warnings") == null ? "?" : r.get("worker warnings").startsWith("none") ? "none" : "yes (below)")
                    .append(" | ").append(r.get("load before")).append(" → ").append(r.get("load after"))
                    .append(" |\n");
        }
        sb.append("\n## Details\n");
        for (Map<String, String> r : rows) {
            sb.append("\n### ").append(r.get("framework")).append("\n\n");
            r.forEach((k, v) -> {
                if (!k.equals("framework")) {
                    sb.append("- **").append(k).append("**: ").append(v.replace("|", "\\|")).append('\n');
                }
            });
        }
        return sb.toString();
    }

    private static String first(String s) {
        return s == null ? "?" : s.split(" ")[0];
    }

    private static String shares(String s) {
        if (s == null) {
            return "?";
        }
        Matcher m = Pattern.compile("\\(([\\d.]+%)\\)").matcher(s);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return String.join(" / ", out) + (s.contains("failed 0;") ? "" : " (" + s.replaceAll(".*(failed \\d+).*", "$1") + ")");
    }

    private static String reloadCell(String s) {
        if (s == null) {
            return "?";
        }
        Matcher m = Pattern.compile("failed (\\d+) / (\\d+)").matcher(s);
        String exit = s.startsWith("exit 0;") ? "" : s.startsWith("still running") ? " (F2)" : " (" + s.split(";")[0] + ")";
        return m.find() ? m.group(1) + " / " + m.group(2) + exit : s;
    }
}
