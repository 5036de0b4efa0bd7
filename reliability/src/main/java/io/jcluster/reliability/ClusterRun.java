package io.jcluster.reliability;

import io.jcluster.testkit.RealProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real {@link ReliabilityApp} cluster: a primary JVM and its worker JVMs, run through the test kit's
 * {@link RealProcess} (output lines with their arrival time, reaping of every process it ever had, also from a
 * shutdown hook). On top of it: the live workers, tracked from the primary's {@code EVENT} lines.
 */
public final class ClusterRun implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("^EVENT listening (\\d+) (\\d+) (\\d+)");
    private static final Pattern EXIT = Pattern.compile("^EVENT exit (\\d+) (\\d+) ");
    private static final Pattern FORK = Pattern.compile("^EVENT fork (\\d+) (\\d+)");

    private final RealProcess process;
    /** Listening workers: id to pid, kept from the events. */
    private final Map<Integer, Long> listening = new ConcurrentHashMap<>();
    private final Map<Integer, Long> forked = new ConcurrentHashMap<>();
    private volatile int port = -1;
    private volatile boolean echo;

    /** The primary's own java.io.tmpdir when this run chose it (removed on close), else null. */
    private final Path ownTmp;

    private ClusterRun(List<String> command, Map<String, String> env, Path ownTmp) throws IOException {
        this.ownTmp = ownTmp;
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        process = new RealProcess(pb.start(), "cluster", line -> true, this::follow);
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
            ownTmp = Files.createTempDirectory("jcluster-reliability-tmp-");
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

    /** Each line, as it arrives: the workers' lifecycle from the primary's events. */
    private void follow(String text) {
        Matcher m;
        if ((m = LISTENING.matcher(text)).find()) {
            listening.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
            port = Integer.parseInt(m.group(3));
        } else if ((m = EXIT.matcher(text)).find()) {
            listening.remove(Integer.parseInt(m.group(1)));
            forked.remove(Integer.parseInt(m.group(1)));
        } else if ((m = FORK.matcher(text)).find()) {
            long pid = Long.parseLong(m.group(2));
            forked.put(Integer.parseInt(m.group(1)), pid);
            process.remember(pid);
        }
        if (echo) {
            System.out.println("  | " + text);
        }
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process.process();
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
        return process.await(regex, timeout);
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
            if (!process.process().isAlive()) {
                throw new AssertionError("the primary exited with " + process.process().exitValue() + "; output:\n"
                        + tail(60));
            }
            Thread.sleep(20);
        }
        return port();
    }

    /** The port the workers listen on (from the last listening event). */
    public int port() {
        int p = port;
        if (p < 0) {
            throw new IllegalStateException("no worker is listening yet");
        }
        return p;
    }

    /** Forgets the lines not yet consumed by {@link #await}: the next await sees only later lines. */
    public ClusterRun skipPending() {
        process.skipPending();
        return this;
    }

    /** Sends one command line to the primary's stdin. */
    public void command(String line) throws IOException {
        process.send(line);
    }

    /** Every line so far, with its arrival time. */
    public List<RealProcess.Line> lines() {
        return process.lines();
    }

    public String output() {
        return process.output();
    }

    /** The last {@code n} lines. */
    public String tail(int n) {
        return process.tail(n);
    }

    /** Remembers the live descendants now, so {@link #close} reaps them even after the primary is gone. */
    public List<ProcessHandle> descendants() {
        return process.descendants();
    }

    /** Waits for the primary to exit; its exit status, or null on timeout. */
    public Integer waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout);
    }

    @Override
    public void close() {
        process.close();
        if (ownTmp != null) {
            try {
                Orphans.deleteTree(ownTmp);
            } catch (IOException e) {
                System.err.println("could not remove the cluster's temporary directory " + ownTmp + ": " + e);
            }
        }
    }
}
