package io.jcluster.supervise;

import io.jcluster.contract.Units;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many workers a machine can hold, so that {@code start -i N} and {@code scale} refuse a count that would
 * drown it ({@code --force} overrides). The rule, a pure function of the machine ({@link #refusal}):
 * <ul>
 *   <li>CPUs: at most {@value #WORKERS_PER_CPU} workers per CPU the JVM may use (a worker is a JVM with its own JIT
 *       and GC threads; beyond that they only take turns);</li>
 *   <li>memory: the workers to add, times a worker's RSS (the median of the running workers' when known, else
 *       {@link #DEFAULT_WORKER_BYTES}), must fit in the memory available: the cgroup's limit less its usage
 *       where a limit is set, and never more than {@code MemAvailable} of {@code /proc/meminfo}.</li>
 * </ul>
 * Going down, or staying, is never refused.
 */
public record Capacity(int cpus, long availableBytes, String memorySource) {
    public static final int WORKERS_PER_CPU = 4;
    /** A worker's RSS under load, measured on the test app and the demo (62 MB idle, 75 MB under load). */
    public static final long DEFAULT_WORKER_BYTES = 75L << 20;
    /** cgroup limits at or above this are "no limit" (cgroup v1 writes a huge number). */
    static final long NO_LIMIT = 1L << 60;

    /** This machine as the JVM sees it: its CPUs and the memory its cgroup lets it have. */
    public static Capacity probe() {
        return probe(Path.of("/"));
    }

    static Capacity probe(Path root) {
        long memAvailable = memAvailable(read(root.resolve("proc/meminfo")));
        long limit = -1;
        long usage = -1;
        String source = "MemAvailable";
        Path v2 = root.resolve("sys/fs/cgroup");
        Path v1 = root.resolve("sys/fs/cgroup/memory");
        if (Files.isRegularFile(v2.resolve("memory.max"))) {
            limit = cgroupValue(read(v2.resolve("memory.max")));
            usage = cgroupValue(read(v2.resolve("memory.current")));
            source = "the cgroup's memory.max";
        } else if (Files.isRegularFile(v1.resolve("memory.limit_in_bytes"))) {
            limit = cgroupValue(read(v1.resolve("memory.limit_in_bytes")));
            usage = cgroupValue(read(v1.resolve("memory.usage_in_bytes")));
            source = "the cgroup's memory limit";
        }
        long available = memAvailable;
        if (limit > 0 && limit < NO_LIMIT) {
            long inCgroup = Math.max(0, limit - Math.max(0, usage));
            if (available < 0 || inCgroup < available) {
                available = inCgroup;
            } else {
                source = "MemAvailable";
            }
        } else {
            source = "MemAvailable";
        }
        return new Capacity(Runtime.getRuntime().availableProcessors(), available, source);
    }

    /**
     * The memory the whole cluster may use: the cgroup's limit where one is set, else the machine's
     * {@code MemTotal}; -1 when neither can be read.
     */
    public static long memoryBudget() {
        return memoryBudget(Path.of("/"));
    }

    static long memoryBudget(Path root) {
        long limit = cgroupValue(read(root.resolve("sys/fs/cgroup/memory.max")));
        if (limit < 0) {
            limit = cgroupValue(read(root.resolve("sys/fs/cgroup/memory/memory.limit_in_bytes")));
        }
        if (limit > 0 && limit < NO_LIMIT) {
            return limit;
        }
        return meminfo(read(root.resolve("proc/meminfo")), "MemTotal:");
    }

    /**
     * Null when {@code wanted} workers fit, else why not (one sentence, without the advice to use --force).
     * {@code perWorkerBytes} &le; 0 means {@link #DEFAULT_WORKER_BYTES}; an unknown available memory (&lt; 0) skips
     * the memory rule.
     */
    public String refusal(int current, int wanted, long perWorkerBytes) {
        if (wanted <= current) {
            return null;
        }
        int maxByCpu = WORKERS_PER_CPU * Math.max(1, cpus);
        if (wanted > maxByCpu) {
            return wanted + " workers are more than this machine can run: it has " + cpus + " CPU(s), and jcluster "
                    + "allows at most " + WORKERS_PER_CPU + " workers per CPU (" + maxByCpu + ")";
        }
        long each = perWorkerBytes > 0 ? perWorkerBytes : DEFAULT_WORKER_BYTES;
        long need = (long) (wanted - current) * each;
        if (availableBytes >= 0 && need > availableBytes) {
            long fit = current + availableBytes / each;
            return (wanted - current) + " more worker(s) need about " + Units.formatSize(need) + " ("
                    + Units.formatSize(each) + " each" + (perWorkerBytes > 0 ? ", the running workers' RSS" : "")
                    + ") but " + Units.formatSize(availableBytes) + " is available (" + memorySource + "): at most "
                    + fit + " worker(s) fit";
        }
        return null;
    }

    /** {@code MemAvailable} of a {@code /proc/meminfo} text in bytes, or -1. */
    static long memAvailable(String meminfo) {
        return meminfo(meminfo, "MemAvailable:");
    }

    /** The value of {@code key} in a {@code /proc/meminfo} text in bytes, or -1. */
    private static long meminfo(String meminfo, String key) {
        if (meminfo == null) {
            return -1;
        }
        for (String line : meminfo.split("\n")) {
            if (line.startsWith(key)) {
                try {
                    return ProcStats.parseKb(line.substring(key.length()));
                } catch (RuntimeException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** A cgroup file's number ({@code max} is no limit: {@link Long#MAX_VALUE}), or -1. */
    static long cgroupValue(String text) {
        if (text == null) {
            return -1;
        }
        String t = text.trim();
        if (t.equals("max")) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
