package io.jcluster.supervise;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A process's resident memory and CPU time from {@code /proc/PID/status} and {@code /proc/PID/stat}, and the
 * ports it listens on by itself (for {@link OwnPorts}). Linux only (as epoll is); every reader returns "unknown" rather
 * than failing when a process has gone.
 */
public final class ProcStats {
    /** Clock ticks per second of {@code /proc/PID/stat} times: 100 on every Linux we run on. */
    static final long CLK_TCK = 100;

    private ProcStats() {
    }

    /** One reading: RSS in bytes (-1 unknown) and user+system CPU time in ticks (-1 unknown), taken at nanoTime. */
    public record Sample(long rss, long cpuTicks, long nanos) {
        /** CPU use between {@code earlier} and this sample, in percent of one core; -1 when unknown. */
        public double cpuPercentSince(Sample earlier) {
            if (earlier == null || cpuTicks < 0 || earlier.cpuTicks < 0 || nanos <= earlier.nanos) {
                return -1;
            }
            double cpuSeconds = (cpuTicks - earlier.cpuTicks) / (double) CLK_TCK;
            double wall = (nanos - earlier.nanos) / 1e9;
            return Math.max(0, 100.0 * cpuSeconds / wall);
        }
    }

    public static Sample sample(long pid) {
        return new Sample(rss(pid), cpuTicks(pid), System.nanoTime());
    }

    /** Resident set size in bytes from {@code VmRSS}, or -1. */
    public static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("VmRSS:")) {
                    return parseKb(line.substring(6));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static long parseKb(String field) {
        String v = field.trim();
        int sp = v.indexOf(' ');
        return Long.parseLong(sp < 0 ? v : v.substring(0, sp)) * 1024;
    }

    /** utime + stime in clock ticks, or -1. */
    public static long cpuTicks(long pid) {
        try {
            return parseStatTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Fields 14 and 15 of a {@code stat} line; the command name (field 2) may hold spaces and parentheses. */
    static long parseStatTicks(String stat) {
        String rest = stat.substring(stat.lastIndexOf(')') + 2);
        String[] f = rest.trim().split("\\s+");
        // rest starts at field 3 (state): utime is field 14, so index 11; stime index 12
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * The local ports of the TCP sockets in LISTEN state the process holds itself (its own server sockets, not
     * the cluster's, which the primary holds under RR), from {@code /proc/PID/fd} and {@code /proc/PID/net/tcp*};
     * empty when unknown.
     */
    public static Set<Integer> listeningPorts(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
        Set<Integer> ports = new TreeSet<>();
        for (String table : new String[] {"tcp", "tcp6"}) {
            try {
                ports.addAll(listeningPorts(Files.readString(proc.resolve("net").resolve(table), StandardCharsets.ISO_8859_1), inodes));
            } catch (IOException | RuntimeException e) {
                // no IPv6, or the process is gone
            }
        }
        return ports;
    }

    /** The local ports of the LISTEN rows (state 0A) of a {@code /proc/net/tcp} table whose inode is one of {@code inodes}. */
    static Set<Integer> listeningPorts(String table, Set<Long> inodes) {
        Set<Integer> ports = new TreeSet<>();
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[3].equals("0A")) {
                continue;
            }
            try {
                if (inodes.contains(Long.parseLong(f[9]))) {
                    ports.add(Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16));
                }
            } catch (NumberFormatException e) {
                // the header line
            }
        }
        return ports;
    }
}
