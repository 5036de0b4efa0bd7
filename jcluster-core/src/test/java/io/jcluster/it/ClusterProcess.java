package io.jcluster.it;

import io.jcluster.testkit.RealProcess;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * A real cluster process ({@link TestCluster}) for a test, on the test kit's {@link RealProcess}: its output lines
 * are queued for {@link #await}; {@link #close} kills the primary and every descendant and waits for them, and a
 * shutdown hook does the same for anything a crashed test left behind.
 */
final class ClusterProcess implements AutoCloseable {
    private final RealProcess proc;
    private final Writer stdin;

    private ClusterProcess(List<String> command, java.util.Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("JCLUSTER_CDS_DIR", "off"); // hermetic: no archives in the user's cache
        pb.environment().putAll(env);
        proc = RealProcess.start(pb, "cluster");
        stdin = new OutputStreamWriter(proc.process().getOutputStream(), StandardCharsets.UTF_8);
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
        return proc.pid();
    }

    Process process() {
        return proc.process();
    }

    /** The next output line matching {@code regex} (searched, not anchored), consuming lines before it. */
    Matcher await(String regex, Duration timeout) throws InterruptedException {
        return proc.await(regex, timeout);
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
        return proc.output();
    }

    /** Live descendants now (workers), remembered so close() reaps them even after the primary is gone. */
    List<ProcessHandle> descendants() {
        return proc.descendants();
    }

    @Override
    public void close() {
        proc.close();
    }

    /** True once the process has exited (a zombie waiting to be reaped counts as gone: it holds nothing). */
    static boolean gone(long pid) {
        return RealProcess.gone(pid);
    }

    static int openFds(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) s.count();
        }
    }
}
