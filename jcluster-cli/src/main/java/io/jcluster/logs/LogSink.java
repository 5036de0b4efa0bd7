package io.jcluster.logs;

import io.jcluster.cluster.OutputListener;
import io.jcluster.cluster.Worker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Where every line of a cluster goes. A worker's line ({@code [worker ID PID] text}) goes to the primary's
 * output (stdout or stderr, as the worker wrote it; not in a daemon, whose output is a file already), to the
 * merged file {@code NAME.log} and to the worker's file {@code worker-ID.log}; the primary's own lines
 * ({@code [primary PID] text}) to its output and the merged file. Files get a timestamp before the prefix and
 * rotate by size. Each line is written whole under the file's lock, so lines are never lost or cut into
 * each other; files are flushed at least every {@value #FLUSH_MS} ms.
 */
public final class LogSink implements OutputListener, AutoCloseable {
    static final long FLUSH_MS = 100;
    /** Files of this many exited workers are kept; older ones are deleted. */
    static final int KEEP_EXITED = 32;
    /** How long a pruned worker's late lines are kept out of a new file of its own (its output drains in far less). */
    static final long PRUNED_MEMORY_NANOS = 60_000_000_000L;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");

    private final Path dir;
    private final long maxSize;
    private final int keep;
    private final boolean workersToConsole;
    private final PrintStream out;
    private final PrintStream err;
    private final String primaryPrefix = "[primary " + ProcessHandle.current().pid() + "] ";
    private final RotatingFile merged;
    private final Map<Integer, RotatingFile> workers = new ConcurrentHashMap<>();
    private final Map<Integer, Long> exitedAt = new ConcurrentHashMap<>();
    /** Workers whose files were deleted, and when: their late lines (output still draining) go to the merged file only. */
    private final Map<Integer, Long> pruned = new ConcurrentHashMap<>();
    private final ArrayDeque<Integer> exitedOrder = new ArrayDeque<>();
    private final Thread flusher;
    private volatile boolean closed;
    /** The seed's console (the demo): workers' lines without their prefix, the primary's own lines in the files only. */
    private volatile boolean plainConsole;

    public LogSink(Path dir, String name, long maxSize, int keep, boolean workersToConsole, PrintStream out, PrintStream err) {
        this.dir = dir;
        this.maxSize = maxSize;
        this.keep = keep;
        this.workersToConsole = workersToConsole;
        this.out = out;
        this.err = err;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> old = Files.list(dir)) { // the last run's worker files: its ids start again at 1
                old.filter(p -> p.getFileName().toString().startsWith("worker-")).forEach(LogSink::deleteQuietly);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create the log directory " + dir, e);
        }
        this.merged = new RotatingFile(dir.resolve(name + ".log"), maxSize, keep);
        CommandLogging.route(this::event, this::warn); // the core's and libraries' lines: the primary's own, one style
        flusher = new Thread(this::flushLoop, "jcluster-log-flusher");
        flusher.setDaemon(true);
        flusher.start();
    }

    public static Path workerFile(Path dir, int id) {
        return dir.resolve("worker-" + id + ".log");
    }

    /** From now on the console shows the workers' lines as they wrote them and none of the primary's (files unchanged). */
    public LogSink plainConsole() {
        plainConsole = true;
        return this;
    }

    public Path dir() {
        return dir;
    }

    public Path mergedFile() {
        return merged.path();
    }

    /** Whether the workers' lines also go to the primary's own output (not in a daemon). */
    public boolean workersOnConsole() {
        return workersToConsole;
    }

    @Override
    public void line(Worker worker, boolean stderr, String line) {
        workerLine(worker.id(), worker.pid(), stderr, line);
    }

    void workerLine(int id, long pid, boolean stderr, String line) {
        String text = "[worker " + id + " " + pid + "] " + line;
        if (workersToConsole) {
            (stderr ? err : out).println(plainConsole ? line : text);
        }
        byte[] stamped = stamp(text);
        write(merged, stamped);
        RotatingFile own = workerFileFor(id);
        if (own != null) {
            write(own, stamped);
        }
    }

    /** A line of the primary's own, to its stdout and the merged file. */
    public void event(String message) {
        String text = primaryPrefix + message;
        if (!plainConsole) {
            out.println(text);
        }
        write(merged, stamp(text));
    }

    /** A line of the primary's own about a problem, to its stderr and the merged file. */
    public void warn(String message) {
        String text = primaryPrefix + message;
        if (!plainConsole) {
            err.println(text);
        }
        write(merged, stamp(text));
    }

    /** Lines written for a worker by the primary (a thread dump): to the worker's file and the merged file, as one block. */
    public void workerBlock(int id, long pid, List<String> lines) {
        String prefix = "[worker " + id + " " + pid + "] ";
        List<byte[]> block = new ArrayList<>(lines.size());
        for (String l : lines) {
            block.add(stamp(prefix + l));
            if (workersToConsole && !plainConsole) {
                err.println(prefix + l);
            }
        }
        try {
            merged.writeAll(block);
            RotatingFile own = workerFileFor(id);
            if (own != null) {
                own.writeAll(block);
            }
        } catch (IOException e) {
            err.println(primaryPrefix + "cannot write a log file: " + e.getMessage());
        }
    }

    /** The worker exited: its file is closed once idle (its last lines may still be on the way). */
    public void workerExited(int id) {
        exitedAt.put(id, System.nanoTime());
        synchronized (exitedOrder) {
            exitedOrder.addLast(id);
            while (exitedOrder.size() > KEEP_EXITED) {
                int old = exitedOrder.pollFirst();
                pruned.put(old, System.nanoTime()); // first: a line from now on opens no file for it
                exitedAt.remove(old);
                RotatingFile f = workers.remove(old);
                if (f != null) {
                    try {
                        f.delete(); // a writer holding f already writes nothing from now on
                    } catch (IOException e) {
                        err.println(primaryPrefix + "cannot delete " + f.path() + ": " + e.getMessage());
                    }
                }
                deleteWorkerFiles(old);
            }
        }
    }

    private void deleteWorkerFiles(int id) {
        Path base = workerFile(dir, id);
        deleteQuietly(base);
        for (int i = 1; i <= keep; i++) {
            deleteQuietly(RotatingFile.rotated(base, i));
        }
    }

    /** The worker's own file; null once it was pruned. */
    private RotatingFile workerFileFor(int id) {
        return workers.computeIfAbsent(id, i -> pruned.containsKey(i) ? null : new RotatingFile(workerFile(dir, i), maxSize, keep));
    }

    private static byte[] stamp(String text) {
        return (timestamp() + " " + text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The local time as every log line starts with it: {@code 2026-11-30T09:10:00.123}. */
    public static String timestamp() {
        return LocalDateTime.now().format(TIME);
    }

    private void write(RotatingFile f, byte[] line) {
        try {
            f.write(line);
        } catch (IOException e) {
            err.println(primaryPrefix + "cannot write " + f.path() + ": " + e.getMessage());
        }
    }

    private void flushLoop() {
        while (!closed) {
            try {
                Thread.sleep(FLUSH_MS);
            } catch (InterruptedException e) {
                return;
            }
            flushAll();
            long now = System.nanoTime();
            pruned.values().removeIf(at -> now - at > PRUNED_MEMORY_NANOS);
            exitedAt.forEach((id, at) -> {
                RotatingFile f = workers.get(id);
                if (now - at > 2_000_000_000L && (f == null || f.idleNanos() > 2_000_000_000L)) {
                    exitedAt.remove(id);
                    if (f != null) {
                        closeQuietly(f); // reopened (appending) should a late line come
                    }
                }
            });
        }
    }

    public void flushAll() {
        try {
            merged.flush();
        } catch (IOException e) {
            // reported on the next write
        }
        for (RotatingFile f : workers.values()) {
            try {
                f.flush();
            } catch (IOException e) {
                // reported on the next write
            }
        }
        out.flush();
        err.flush();
    }

    @Override
    public void close() {
        CommandLogging.route(null, null);
        closed = true;
        flusher.interrupt();
        flushAll();
        closeQuietly(merged);
        workers.values().forEach(LogSink::closeQuietly);
    }

    private static void closeQuietly(RotatingFile f) {
        if (f == null) {
            return;
        }
        try {
            f.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }
}
