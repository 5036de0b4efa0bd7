package io.jcluster.reliability;

import io.jcluster.testkit.RealProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Linux process facts read from /proc, signals, and heap figures through jcmd. */
public final class Procs {
    private Procs() {
    }

    /** Open file descriptors of {@code pid} (entries of /proc/PID/fd); -1 when the process is gone. */
    public static int fdCount(long pid) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            int n = 0;
            for (Path ignored : s) {
                n++;
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    /** True once the process has exited (a zombie waiting to be reaped holds nothing and counts as gone). */
    public static boolean gone(long pid) {
        return RealProcess.gone(pid);
    }

    /** The state letter of /proc/PID/stat ({@code R}, {@code S}, {@code T} stopped, {@code Z} …); '?' when gone. */
    public static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    /** Sends a signal by name ({@code STOP}, {@code KILL}, {@code TERM} …) with kill(1); true when sent. */
    public static boolean signal(long pid, String name) {
        return RealProcess.signal(pid, name);
    }

    /** The socket inodes among the open fds of {@code pid}. */
    public static Set<Long> socketInodes(long pid) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : s) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // gone
        }
        return inodes;
    }

    /**
     * The remote ports of the TCP connections to local port {@code serverPort} that {@code pid} holds: for a
     * server process, the client-side ports of the connections it owns. Read from /proc/net/tcp and tcp6.
     */
    public static Set<Integer> peerPortsHeldBy(long pid, int serverPort) {
        Set<Long> inodes = socketInodes(pid);
        Set<Integer> ports = new HashSet<>();
        if (inodes.isEmpty()) {
            return ports;
        }
        // The process is stopped, so its own entries stay: two reads, united, miss far less (tcpEntries).
        for (String[] f : tcpEntries()) {
            if (f.length < 10) {
                continue;
            }
            long inode;
            try {
                inode = Long.parseLong(f[9]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (inode != 0 && inodes.contains(inode) && port(f[1]) == serverPort) {
                ports.add(port(f[2]));
            }
        }
        return ports;
    }

    /**
     * The accept queue of the TCP socket listening on local port {@code port}: the connections the kernel completed
     * that no accept took yet (the rx_queue of its LISTEN entry in /proc/net/tcp or tcp6); -1 when nothing listens
     * on the port. The tables are read twice (they are not snapshots: an entry can be skipped while others come and
     * go), and "nothing listens" holds only when neither read saw the socket.
     */
    public static int acceptQueue(int port) {
        int queue = -1;
        for (String[] f : tcpEntries()) {
            // sl, local address, remote address, state (0A: LISTEN), tx_queue:rx_queue, ...
            if (f.length > 4 && f[3].equals("0A") && port(f[1]) == port) {
                queue = Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
            }
        }
        return queue;
    }

    /**
     * The entries of /proc/net/tcp and tcp6, each split into its fields, from two reads of both tables: they are
     * read in chunks and are not snapshots, so while other connections come and go an entry can be skipped by one
     * read. A table that cannot be read is left out.
     */
    private static List<String[]> tcpEntries() {
        List<String[]> entries = new java.util.ArrayList<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6", "/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                entries.add(lines.get(i).trim().split("\\s+"));
            }
        }
        return entries;
    }

    private static int port(String addrPort) {
        return Integer.parseInt(addrPort.substring(addrPort.indexOf(':') + 1), 16);
    }

    /** Runs {@code jcmd PID COMMAND} and returns its output. */
    public static String jcmd(long pid, String command) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        if (!Files.isExecutable(Path.of(jcmd))) {
            jcmd = "jcmd";
        }
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command + " did not finish");
        }
        return out;
    }

    /** The heap's spaces as {@code GC.heap_info} names them; JDK 25's serial collector says DefNew and Tenured. */
    private static final Pattern USED = Pattern.compile(
            "^\\s*(def new generation|tenured generation|DefNew|Tenured|garbage-first heap|PSYoungGen|ParOldGen|ZHeap"
                    + "|Shenandoah)"
                    + ".*?used (\\d+)K", Pattern.MULTILINE);

    /** Old generations of the collectors whose full GC leaves the young generation empty (serial, parallel). */
    private static final Pattern OLD = Pattern.compile("tenured generation|Tenured|ParOldGen");

    /**
     * Heap in use after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), in KiB. With a generational
     * collector that empties the young generation in a full GC, only the old generation counts: the second jcmd
     * starts a JVM of its own (0.5-1 s here), and meanwhile the process allocates again in its young generation,
     * where each thread's whole TLAB counts as used. LeaksIT's primary read +1706 KiB in one CI run and -1707 KiB in
     * another, the same block on either side of the load: young-generation allocations between the two commands, not
     * the live data a leak would grow.
     */
    public static long usedHeapAfterGcKb(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = USED.matcher(info);
        long total = 0;
        long old = 0;
        boolean found = false;
        boolean generational = false;
        while (m.find()) {
            long used = Long.parseLong(m.group(2));
            total += used;
            found = true;
            if (OLD.matcher(m.group(1)).matches()) {
                old += used;
                generational = true;
            }
        }
        if (!found) {
            throw new IOException("could not read the heap from: " + info);
        }
        return generational ? old : total;
    }

    /** Reads one variable of a process's environment (same user only); null when absent or unreadable. */
    public static String environ(long pid, String name) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
            for (String kv : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                if (kv.startsWith(name + "=")) {
                    return kv.substring(name.length() + 1);
                }
            }
        } catch (IOException e) {
            // unreadable
        }
        return null;
    }

    /** The load average line of /proc/loadavg and the output of uptime, for reports. */
    public static String uptime() {
        try {
            Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            try {
                return "loadavg " + Files.readString(Path.of("/proc/loadavg")).trim();
            } catch (IOException ex) {
                return "unknown";
            }
        }
    }

    /** Direct children pids of {@code pid} (from ProcessHandle), for snapshots of the workers. */
    public static List<Long> children(long pid) {
        List<Long> out = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(h -> h.children().forEach(c -> out.add(c.pid())));
        return out;
    }

    /** A map of pid to command line of the live descendants of {@code pid}. */
    public static Map<Long, String> descendants(long pid) {
        Map<Long, String> out = new HashMap<>();
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(
                d -> out.put(d.pid(), d.info().commandLine().orElse("?"))));
        return out;
    }
}
