package io.jcluster.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real {@link ReliabilityApp} cluster: a primary JVM and its worker JVMs. Output lines (stdout and stderr
 * of the primary and of the workers, which inherit them) are kept with their arrival time; the live workers
 * are tracked from the primary's events. {@link #close} kills the primary and every process it ever had as a
 * descendant and waits for them, whatever state the test left them in; a shutdown hook does the same.
 */
public final class ClusterRun implements AutoCloseable {
    private static final Set<ClusterRun> LIVE = ConcurrentHashMap.newKeySet();
    private static final Pattern LISTENING = Pattern.compile("^EVENT listening (\\d+) (\\d+) (\\d+)");
    private static final Pattern EXIT = Pattern.compile("^EVENT exit (\\d+) (\\d+) ");
    private static final Pattern FORK = Pattern.compile("^EVENT fork (\\d+) (\\d+)");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ClusterRun::close), "reap-clusters"));
    }

    /** One output line and when it arrived (System.nanoTime). */
    public record Line(long nanos, String text) { }

    private final Process process;
    private final Writer stdin;
    private final LinkedBlockingQueue<Line> queue = new LinkedBlockingQueue<>();
    private final List<Line> all = Collections.synchronizedList(new ArrayList<>());
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    /** Listening workers: id to pid, kept from the events. */
    private final Map<Integer, Long> listening = new ConcurrentHashMap<>();
    private final Map<Integer, Long> forked = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean echo;

    /** The primary's own java.io.tmpdir when this run chose it (removed on close), else null. */
    private final Path ownTmp;

    private ClusterRun(List<String> command, Map<String, String> env, Path ownTmp) throws IOException {
        this.ownTmp = ownTmp;
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        process = pb.start();
        LIVE.add(this);
        seen.add(process.toHandle());
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        reader = new Thread(this::read, "cluster-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code ReliabilityApp ARGS} with {@code jvmArgs} for the primary. */
    public static ClusterRun start(List<String> appArgs, List<String> jvmArgs, Map<String, String> env)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-XX:+UseSerialGC", "-Xmx256m", "-Xss512k"));
        cmd.addAll(jvmArgs);
        // A private temporary directory unless the caller chose one: close() kills the primary with SIGKILL,
        // which leaves its (empty) IPC directory behind; this one is removed with it.
        Path ownTmp = null;
        if (jvmArgs.stream().noneMatch(a -> a.startsWith("-Djava.io.tmpdir="))) {
            ownTmp = java.nio.file.Files.createTempDirectory("jcluster-reliability-tmp-");
            cmd.add("-Djava.io.tmpdir=" + ownTmp);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ReliabilityApp.class.getName()));
        cmd.addAll(appArgs);
        return new ClusterRun(cmd, env, ownTmp);
    }

    public static ClusterRun start(ReliabilityApp.Options o) throws IOException {
        return start(o.toArgs(), List.of(), Map.of());
    }

    /** Options with {@code workers} workers on {@code port} and the given restart policy. */
    public static ReliabilityApp.Options options(int port, int workers, String restart) {
        ReliabilityApp.Options o = new ReliabilityApp.Options();
        o.port = port;
        o.workers = workers;
        o.restart = restart;
        return o;
    }

    /** Prints the cluster's output to stdout as it arrives (for the long form's console). */
    public ClusterRun echo(boolean on) {
        echo = on;
        return this;
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String text;
            while ((text = r.readLine()) != null) {
                Line line = new Line(System.nanoTime(), text);
                Matcher m;
                if ((m = LISTENING.matcher(text)).find()) {
                    listening.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
                } else if ((m = EXIT.matcher(text)).find()) {
                    listening.remove(Integer.parseInt(m.group(1)));
                    forked.remove(Integer.parseInt(m.group(1)));
                } else if ((m = FORK.matcher(text)).find()) {
                    long pid = Long.parseLong(m.group(2));
                    forked.put(Integer.parseInt(m.group(1)), pid);
                    ProcessHandle.of(pid).ifPresent(seen::add);
                }
                all.add(line);
                queue.add(line);
                if (echo) {
                    System.out.println("  | " + text);
                }
            }
        } catch (IOException e) {
            all.add(new Line(System.nanoTime(), "(output ended: " + e + ")"));
        }
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** The workers that are listening now, by id (from the primary's events). */
    public Map<Integer, Long> listening() {
        return new LinkedHashMap<>(listening);
    }

    /** The workers forked and not exited, by id. */
    public Map<Integer, Long> forked() {
        return new LinkedHashMap<>(forked);
    }

    /** The next output line matching {@code regex} (searched, not anchored), consuming lines before it. */
    public Matcher await(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Line line = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no line matching /" + regex + "/ within " + timeout.toMillis()
                        + " ms; output so far:\n" + tail(60));
            }
            Matcher m = p.matcher(line.text());
            if (m.find()) {
                return m;
            }
        }
    }

    public Matcher await(String regex) throws InterruptedException {
        return await(regex, Duration.ofSeconds(30));
    }

    /** Waits until {@code n} workers are listening at once; returns the port. */
    public int awaitListening(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (listening.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(listening.size() + " of " + n + " workers listening after "
                        + timeout.toMillis() + " ms; output:\n" + tail(60));
            }
            if (!process.isAlive()) {
                throw new AssertionError("the primary exited with " + process.exitValue() + "; output:\n" + tail(60));
            }
            Thread.sleep(20);
        }
        return port();
    }

    /** The port the workers listen on (from the last listening event). */
    public int port() {
        synchronized (all) {
            for (int i = all.size() - 1; i >= 0; i--) {
                Matcher m = LISTENING.matcher(all.get(i).text());
                if (m.find()) {
                    return Integer.parseInt(m.group(3));
                }
            }
        }
        throw new IllegalStateException("no worker is listening yet");
    }

    /** Forgets the lines not yet consumed by {@link #await}: the next await sees only later lines. */
    public ClusterRun skipPending() {
        queue.clear();
        return this;
    }

    public void command(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /** Every line so far. */
    public List<Line> lines() {
        synchronized (all) {
            return new ArrayList<>(all);
        }
    }

    public String output() {
        StringBuilder b = new StringBuilder();
        for (Line l : lines()) {
            b.append(l.text()).append('\n');
        }
        return b.toString();
    }

    /** The last {@code n} lines. */
    public String tail(int n) {
        List<Line> l = lines();
        StringBuilder b = new StringBuilder();
        for (Line line : l.subList(Math.max(0, l.size() - n), l.size())) {
            b.append(line.text()).append('\n');
        }
        return b.toString();
    }

    /** Remembers the live descendants now, so {@link #close} reaps them even after the primary is gone. */
    public List<ProcessHandle> descendants() {
        List<ProcessHandle> d = process.descendants().toList();
        seen.addAll(d);
        return d;
    }

    /** Waits for the primary to exit; its exit status, or null on timeout. */
    public Integer waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    @Override
    public void close() {
        LIVE.remove(this);
        List<ProcessHandle> tree = new ArrayList<>(seen);
        tree.addAll(process.descendants().toList());
        for (ProcessHandle h : tree) {
            if (h.pid() != process.pid()) {
                h.destroyForcibly();
            }
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle h : tree) {
                h.onExit().get(10, TimeUnit.SECONDS);
            }
            reader.join(2000);
        } catch (Exception e) {
            throw new IllegalStateException("could not reap the cluster's processes " + tree, e);
        }
        if (ownTmp != null) {
            try {
                Orphans.deleteTree(ownTmp);
            } catch (IOException e) {
                // best effort: a temporary directory
            }
        }
    }
}
