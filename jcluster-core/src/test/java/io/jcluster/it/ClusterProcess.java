package io.jcluster.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real cluster process ({@link TestCluster}) for a test. Its output lines are queued for
 * {@link #await}; {@link #close} kills the primary and every descendant and waits for them, and a shutdown
 * hook does the same for anything a crashed test left behind.
 */
final class ClusterProcess implements AutoCloseable {
    private static final Set<ClusterProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ClusterProcess::close)));
    }

    private final Process process;
    private final Writer stdin;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Put in {@code lines} when the output ends; compared by identity. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String END = new String("(end of output)");
    private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<ProcessHandle> seen = java.util.Collections.synchronizedList(new ArrayList<>());

    private ClusterProcess(List<String> command, java.util.Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("JCLUSTER_CDS_DIR", "off"); // hermetic: no archives in the user's cache
        pb.environment().putAll(env);
        process = pb.start();
        LIVE.add(this);
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    all.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                all.add("(output ended: " + e + ")");
            } finally {
                lines.add(END);
            }
        }, "cluster-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code TestCluster PORT WORKERS POLICY RESTART [HOST]}. */
    static ClusterProcess start(int port, int workers, String policy, String restart, String... more) throws IOException {
        return start(java.util.Map.of(), port, workers, policy, restart, more);
    }

    static ClusterProcess start(java.util.Map<String, String> env, int port, int workers, String policy,
                                String restart, String... more) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), TestCluster.class.getName(),
                Integer.toString(port), Integer.toString(workers), policy, restart));
        cmd.addAll(List.of(more));
        return new ClusterProcess(cmd, env);
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** The next output line matching {@code regex} (searched, not anchored), consuming lines before it. */
    Matcher await(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no line matching /" + regex + "/ within " + timeout.toMillis()
                        + " ms; output so far:\n" + output());
            }
            if (line == END) {
                lines.add(END); // later waits fail at once too
                throw new AssertionError("the output ended (the process exited) before a line matching /" + regex
                        + "/; output:\n" + output());
            }
            Matcher m = p.matcher(line);
            if (m.find()) {
                return m;
            }
        }
    }

    Matcher await(String regex) throws InterruptedException {
        return await(regex, Duration.ofSeconds(20));
    }

    /** Waits until every worker of {@code n} printed its listening line; returns the port. */
    int awaitListening(int n) throws InterruptedException {
        int port = -1;
        for (int i = 0; i < n; i++) {
            port = Integer.parseInt(await("EVENT listening \\d+ (\\d+)").group(1));
        }
        return port;
    }

    void command(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    String output() {
        synchronized (all) {
            return String.join("\n", all);
        }
    }

    /** Live descendants now (workers), remembered so close() reaps them even after the primary is gone. */
    List<ProcessHandle> descendants() {
        List<ProcessHandle> d = process.descendants().toList();
        seen.addAll(d);
        return d;
    }

    @Override
    public void close() {
        LIVE.remove(this);
        List<ProcessHandle> tree = new ArrayList<>(seen);
        tree.addAll(process.descendants().toList());
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle h : tree) {
                h.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("could not reap the cluster's processes", e);
        }
    }

    /** True once the process has exited (a zombie waiting to be reaped counts as gone: it holds nothing). */
    static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return true;
        }
    }

    static int openFds(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) s.count();
        }
    }
}
