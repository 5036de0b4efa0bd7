package io.jcluster.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real {@code jcluster} jar run as a process; {@link #close} reaps it and every descendant. */
final class CliProcess implements AutoCloseable {
    private static final Set<CliProcess> LIVE = ConcurrentHashMap.newKeySet();
    static final Path JAR = Path.of("target", "jcluster.jar").toAbsolutePath();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(CliProcess::close)));
    }

    final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = Collections.synchronizedList(new ArrayList<>());
    private final List<ProcessHandle> seen = Collections.synchronizedList(new ArrayList<>());

    CliProcess(String... args) throws IOException {
        this(java.util.Map.of(), args);
    }

    CliProcess(java.util.Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().put("JCLUSTER_CDS_DIR", "off"); // hermetic: no archives in the user's cache
        pb.environment().putAll(env);
        process = pb.start();
        LIVE.add(this);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    all.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                all.add("(output ended: " + e + ")");
            }
        }, "cli-output");
        t.setDaemon(true);
        t.start();
    }

    Matcher await(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no line matching /" + regex + "/ within " + timeout.toMillis() + " ms; output:\n" + output());
            }
            Matcher m = p.matcher(line);
            if (m.find()) {
                return m;
            }
        }
    }

    Matcher await(String regex) throws InterruptedException {
        return await(regex, Duration.ofSeconds(30));
    }

    String output() {
        synchronized (all) {
            return String.join("\n", all);
        }
    }

    List<ProcessHandle> descendants() {
        List<ProcessHandle> d = process.descendants().toList();
        seen.addAll(d);
        return d;
    }

    void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
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
            throw new AssertionError("could not reap the CLI's processes", e);
        }
    }
}
