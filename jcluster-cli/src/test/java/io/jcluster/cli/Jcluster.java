package io.jcluster.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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

/**
 * The real {@code jcluster} jar run as processes against a private registry ({@code JCLUSTER_HOME}):
 * {@link #run} for a command that ends, {@link #start} for a primary that keeps running. Every process and
 * its descendants are reaped by {@link Running#close} (and at JVM exit).
 */
final class Jcluster {
    static final Path JAR = Path.of("target", "jcluster.jar").toAbsolutePath();
    static final Path SCRIPT = Path.of("..", "bin", "jcluster").toAbsolutePath().normalize();
    static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();
    static final String TEST_APP = "io.jcluster.cli.apps.TestApp";
    private static final Set<Running> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Running::close)));
    }

    final Path home;

    Jcluster(Path home) {
        this.home = home;
    }

    /** The arguments of {@code start} for the test app: {@code --classpath ... --main-class TestApp}. */
    static List<String> testApp(String name, int instances, String... extra) {
        List<String> a = new ArrayList<>(List.of("start", "--name", name, "--instances", Integer.toString(instances),
                "--classpath", TEST_CLASSES.toString(), "--main-class", TEST_APP));
        a.addAll(List.of(extra));
        return a;
    }

    private ProcessBuilder builder(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+StartAttachListener", // as bin/jcluster
                "-jar", JAR.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCLUSTER_HOME", home.toString());
        pb.environment().put("JCLUSTER_CDS_DIR", "off"); // hermetic: no archives in the user's cache
        return pb;
    }

    /** A command run to its end: its exit status and output. */
    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    Result run(String... args) throws Exception {
        return run(Duration.ofSeconds(90), args);
    }

    Result run(Duration timeout, String... args) throws Exception {
        Process p = builder(List.of(args)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("jcluster " + String.join(" ", args) + " did not end within " + timeout);
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    Running start(List<String> args) throws IOException {
        return start(java.util.Map.of(), args);
    }

    /** Like {@link #start(List)}, with extra environment variables. */
    Running start(java.util.Map<String, String> env, List<String> args) throws IOException {
        ProcessBuilder pb = builder(args).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new Running(pb.start());
    }

    /** {@code bin/jcluster} itself, as a user runs it from a clone (it runs {@link #JAR}, built already). */
    Running startScript(java.util.Map<String, String> env, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JCLUSTER_HOME", home.toString());
        pb.environment().putAll(env);
        return new Running(pb.start());
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Like {@link #start(List)}, counting instead of keeping the lines of the test app's {@code --print}. */
    Running startQuiet(List<String> args) throws IOException {
        return new Running(builder(args).redirectErrorStream(true).start(), false);
    }

    /** A long-running jcluster process (a foreground primary, logs --follow). */
    static final class Running implements AutoCloseable {
        final Process process;
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        /** Put in {@code lines} when the output ends; compared by identity. */
        @SuppressWarnings("StringOperationCanBeSimplified")
        private static final String END = new String("(end of output)");
        private final List<String> all = Collections.synchronizedList(new ArrayList<>());
        private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
        private final boolean keepLines;
        final java.util.concurrent.atomic.AtomicLong printed = new java.util.concurrent.atomic.AtomicLong();

        Running(Process process) {
            this(process, true);
        }

        Running(Process process, boolean keepLines) {
            this.process = process;
            this.keepLines = keepLines;
            LIVE.add(this);
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.contains("] line ")) {
                            printed.incrementAndGet();
                        }
                        if (this.keepLines || !line.contains("] line ")) {
                            all.add(line);
                            lines.add(line);
                        }
                    }
                } catch (IOException e) {
                    all.add("(output ended: " + e + ")");
                } finally {
                    lines.add(END);
                }
            }, "jcluster-output");
            t.setDaemon(true);
            t.start();
        }

        Matcher await(String regex) throws InterruptedException {
            return await(regex, Duration.ofSeconds(60));
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

        /** Waits for the line saying the cluster is up; returns the port it listens on. */
        int awaitUp() throws InterruptedException {
            return Integer.parseInt(await("is up: \\d+ worker\\(s\\) listening on \\S*:(\\d+)").group(1));
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

        int waitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the primary did not exit within " + timeout + "; output:\n" + output());
            }
            return process.exitValue();
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
}
