package io.jcluster.testkit;

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
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real process for a test (a cluster's primary, the {@code jcluster} command): its output lines are collected for
 * {@link #await} with the time each arrived, which fails at its deadline, or at once when the output has ended; an
 * observer given at the start sees each line as it arrives (to follow a cluster's events); {@link #close} kills the
 * process and every descendant it ever saw and waits for them; a shutdown hook does the same for anything a crashed
 * test left behind. The one copy of this harness: core, CLI and reliability tests use it.
 */
public final class RealProcess implements AutoCloseable {
    private static final Set<RealProcess> LIVE = ConcurrentHashMap.newKeySet();
    /** Put in {@code lines} when the output ends; compared by identity. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final Line END = new Line(0, new String("(end of output)"));

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(RealProcess::close)));
    }

    private final Process process;
    private final String what;
    private final LinkedBlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    private final List<Line> all = Collections.synchronizedList(new ArrayList<>());
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    private final Thread reader;
    private Writer stdin;

    /** One output line and when it arrived ({@link System#nanoTime}). */
    public record Line(long nanos, String text) { }

    /** Follows {@code process}'s stdout (merge stderr into it in the builder to see both). */
    public RealProcess(Process process, String what) {
        this(process, what, line -> true);
    }

    /** As {@link #RealProcess(Process, String)}, keeping (for {@link #await} and {@link #output}) only lines {@code keep} accepts. */
    public RealProcess(Process process, String what, Predicate<String> keep) {
        this(process, what, keep, line -> { });
    }

    /** As {@link #RealProcess(Process, String, Predicate)}; {@code observer} sees each kept line before {@link #await} can. */
    public RealProcess(Process process, String what, Predicate<String> keep, Consumer<String> observer) {
        this.process = process;
        this.what = what;
        LIVE.add(this);
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String text; (text = r.readLine()) != null; ) {
                    if (keep.test(text)) {
                        observer.accept(text);
                        Line line = new Line(System.nanoTime(), text);
                        all.add(line);
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                all.add(new Line(System.nanoTime(), "(output ended: " + e + ")"));
            } finally {
                lines.add(END);
            }
        }, what + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code builder} (stderr merged into stdout) and follows it. */
    public static RealProcess start(ProcessBuilder builder, String what) throws IOException {
        return new RealProcess(builder.redirectErrorStream(true).start(), what);
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** The next output line matching {@code regex} (searched, not anchored), consuming the lines before it. */
    public Matcher await(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            Line line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no line matching /" + regex + "/ within " + timeout.toMillis()
                        + " ms; output so far:\n" + output());
            }
            if (line == END) {
                lines.add(END); // later waits fail at once too
                throw new AssertionError("the output ended (the process exited) before a line matching /" + regex
                        + "/; output:\n" + output());
            }
            Matcher m = p.matcher(line.text());
            if (m.find()) {
                return m;
            }
        }
    }

    /** Forgets the lines not yet consumed by {@link #await}: the next await sees only later lines. */
    public void skipPending() {
        lines.removeIf(l -> l != END);
    }

    /** Every line kept so far, with the time each arrived. */
    public List<Line> lines() {
        synchronized (all) {
            return new ArrayList<>(all);
        }
    }

    /** Every line kept so far. */
    public String output() {
        return tail(Integer.MAX_VALUE);
    }

    /** The last {@code n} lines kept. */
    public String tail(int n) {
        List<Line> l = lines();
        StringBuilder b = new StringBuilder();
        for (Line line : l.subList(Math.max(0, l.size() - n), l.size())) {
            b.append(b.length() == 0 ? "" : "\n").append(line.text());
        }
        return b.toString();
    }

    /** Writes {@code line} and a newline to the process's stdin. */
    public synchronized void send(String line) throws IOException {
        if (stdin == null) {
            stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }
        stdin.write(line + "\n");
        stdin.flush();
    }

    /** Waits for the process to exit: its exit status, or null at the timeout. */
    public Integer waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** Remembers {@code pid} (a process it started, seen in its output) so {@link #close} reaps it too. */
    public void remember(long pid) {
        ProcessHandle.of(pid).ifPresent(seen::add);
    }

    /** Live descendants now, remembered so {@link #close} reaps them even after the process itself is gone. */
    public List<ProcessHandle> descendants() {
        List<ProcessHandle> d = process.descendants().toList();
        seen.addAll(d);
        return d;
    }

    /** Sends the signal {@code name} ({@code TERM}, {@code HUP} …) to the process. */
    public void signal(String name) {
        signal(process.pid(), name);
    }

    /** Sends the signal {@code name} to {@code pid} through kill(1); false when it could not be delivered (gone). */
    public static boolean signal(long pid, String name) {
        try {
            Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True once {@code pid} has exited; a zombie ({@code State: Z} in /proc/PID/status, not reaped yet) holds nothing and counts as gone. */
    public static boolean gone(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("State:")) {
                    String s = line.substring(6).trim();
                    return s.startsWith("Z") || s.startsWith("X");
                }
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Kills the process and every descendant seen, and waits until each is gone. */
    @Override
    public void close() {
        LIVE.remove(this);
        List<ProcessHandle> tree = new ArrayList<>(seen);
        tree.addAll(process.descendants().toList());
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            // Not onExit(): for a process that is not our child it completes only once PID 1 has reaped the
            // zombie, which on a loaded machine can take longer than any sensible bound. A zombie holds nothing.
            // A handle also knows its process's start time, so a pid reused since by another process counts as
            // gone (isAlive() is false for the handle) instead of being waited for, or killed.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<ProcessHandle> left = new ArrayList<>(tree);
            while (!(left = left.stream().filter(h -> h.isAlive() && !gone(h.pid())).toList()).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not reap the processes of " + what + ": still running " + left);
                }
                Thread.sleep(50);
            }
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while reaping the processes of " + what, e);
        }
    }
}
