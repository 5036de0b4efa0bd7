package io.jcluster.cli;

import io.jcluster.testkit.RealProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

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

    /** The command line of {@code jcluster ARGS} (java and the jar), for a test that runs it under another program. */
    static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+StartAttachListener", // as bin/jcluster
                "-jar", JAR.toString()));
        cmd.addAll(args);
        return cmd;
    }

    private ProcessBuilder builder(List<String> args) {
        return environment(new ProcessBuilder(command(args)));
    }

    /** Runs {@code cmd} (which runs jcluster) as a long-running process with this registry. */
    Running startCommand(List<String> cmd) throws IOException {
        return new Running(environment(new ProcessBuilder(cmd)).redirectErrorStream(true).start());
    }

    private ProcessBuilder environment(ProcessBuilder pb) {
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

    /**
     * A thread per task, for the tests' blocking async work (reading a process's output, a request that waits): JDK 25's
     * {@code CompletableFuture} runs async tasks in the common pool even at parallelism 1 (2 cores), where one blocked
     * task starves the rest; JDK 17 gave each its own thread there.
     */
    static final java.util.concurrent.Executor THREADS = task -> {
        Thread t = new Thread(task, "test-async");
        t.setDaemon(true);
        t.start();
    };

    Result run(String... args) throws Exception {
        return run(Duration.ofSeconds(90), args);
    }

    Result run(Duration timeout, String... args) throws Exception {
        Process p = builder(List.of(args)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()), THREADS);
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), THREADS);
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

    /**
     * Adds to {@code seen} the primary of cluster {@code name} (from its pid file or registry entry, if any) and its
     * live descendants: a daemon is no child of the test, so its processes are recorded before the test acts.
     */
    static void remember(Path home, String name, List<ProcessHandle> seen) {
        java.util.Set<Long> pids = new java.util.LinkedHashSet<>();
        try {
            Path pidFile = home.resolve(name + ".pid");
            if (java.nio.file.Files.exists(pidFile)) {
                pids.add(Long.parseLong(java.nio.file.Files.readString(pidFile).trim()));
            }
            Path entry = home.resolve(name + ".json");
            if (java.nio.file.Files.exists(entry)) {
                pids.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(entry.toFile()).path("pid").asLong());
            }
        } catch (IOException | NumberFormatException e) {
            // half-written: what was read so far counts
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(p -> {
                if (!seen.contains(p)) {
                    seen.add(p);
                }
                p.descendants().filter(d -> !seen.contains(d)).forEach(seen::add);
            });
        }
    }

    /** Kills every process {@link #remember} saw (and the cluster's current ones) and waits until each is gone. */
    static void reap(Path home, String name, List<ProcessHandle> seen) throws Exception {
        remember(home, name, seen);
        List<ProcessHandle> all = new ArrayList<>(seen);
        for (ProcessHandle h : seen) {
            h.descendants().forEach(all::add);
        }
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            h.onExit().get(10, TimeUnit.SECONDS);
        }
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

    /** A long-running jcluster process (a foreground primary, logs --follow), on the test kit's {@link RealProcess}. */
    static final class Running implements AutoCloseable {
        final Process process;
        private final RealProcess proc;
        final java.util.concurrent.atomic.AtomicLong printed = new java.util.concurrent.atomic.AtomicLong();

        Running(Process process) {
            this(process, true);
        }

        Running(Process process, boolean keepLines) {
            this.process = process;
            this.proc = new RealProcess(process, "jcluster", line -> {
                boolean printedLine = line.contains("] line ");
                if (printedLine) {
                    printed.incrementAndGet();
                }
                return keepLines || !printedLine;
            });
        }

        Matcher await(String regex) throws InterruptedException {
            return await(regex, Duration.ofSeconds(60));
        }

        Matcher await(String regex, Duration timeout) throws InterruptedException {
            return proc.await(regex, timeout);
        }

        /** Waits for the line saying the cluster is up; returns the port it listens on. */
        int awaitUp() throws InterruptedException {
            return Integer.parseInt(await("is up: \\d+ worker\\(s\\) listening on \\S*:(\\d+)").group(1));
        }

        /**
         * Waits (at most {@code timeout}) until the output holds {@code n} lines matching {@code regex}, wherever
         * they are: unlike {@link #await}, lines before the cursor count too. Returns every such line.
         */
        List<String> awaitLines(String regex, int n, Duration timeout) {
            java.util.regex.Pattern re = java.util.regex.Pattern.compile(regex);
            org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50))
                    .alias(n + " lines matching /" + regex + "/ in the primary's output")
                    .until(() -> output().lines().filter(l -> re.matcher(l).find()).count() >= n);
            return output().lines().filter(l -> re.matcher(l).find()).toList();
        }

        String output() {
            return proc.output();
        }

        List<ProcessHandle> descendants() {
            return proc.descendants();
        }

        void signal(String name) {
            proc.signal(name);
        }

        int waitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the primary did not exit within " + timeout + "; output:\n" + output());
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            proc.close();
        }
    }

    /**
     * The JDK HttpServer app ({@code unmodified.JdkHttpApp}) as a jar of its own in {@code dir}, with its Main-Class
     * and without jcluster or the other test classes: an application that knows nothing of jcluster.
     */
    static Path jdkHttpAppJar(Path dir) throws java.io.IOException {
        Path jar = dir.resolve("http-app.jar");
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, "unmodified.JdkHttpApp");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar), m)) {
            out.putNextEntry(new java.util.jar.JarEntry("unmodified/JdkHttpApp.class"));
            out.write(java.nio.file.Files.readAllBytes(TEST_CLASSES.resolve("unmodified/JdkHttpApp.class")));
            out.closeEntry();
        }
        return jar;
    }
}
