package io.jcluster.primary;

import io.jcluster.internal.Sockets;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: listening sockets this primary was given instead of binding them, by systemd's socket activation
 * ({@code LISTEN_FDS}, the {@code sd_listen_fds} protocol: fds from 3, {@code LISTEN_PID} this process,
 * {@code LISTEN_FDNAMES} optional) or by the primary it took over from ({@link Handover}, each named by the
 * address it served). When a worker asks to listen, {@link Bound} takes the socket that matches the address
 * (the name first, then the bound address) instead of binding; a listen no socket matches binds as it always did.
 *
 * <p>The table owns each socket for the life of the process. A handle borrows it: closing the handle stops
 * watching it and never closes it, so the port stays open (connections wait in the kernel's backlog) and a
 * later listen on the address gets the same socket. One table per process, as the environment is.
 * Thread-safety: synchronized; taken on the I/O loop, filled at the start and by a hand-over.
 */
public final class ListenSockets {
    public static final String ENV_FDS = "LISTEN_FDS";
    public static final String ENV_PID = "LISTEN_PID";
    public static final String ENV_NAMES = "LISTEN_FDNAMES";
    /** SD_LISTEN_FDS_START. */
    static final int FIRST_FD = 3;
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int SO_DOMAIN = 39;
    private static final int SOCK_STREAM = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    private static final Logger log = LoggerFactory.getLogger(ListenSockets.class);
    private static final ListenSockets INSTANCE = new ListenSockets();

    /** One fd as the environment gives it: its number and its name ("unknown" when none was given). */
    public record Given(int fd, String name) {
    }

    private static final class Entry {
        final Socket socket;
        final String name;
        final InetSocketAddress address;
        final String source;
        boolean used;
        boolean reported;

        Entry(Socket socket, String name, InetSocketAddress address, String source) {
            this.socket = socket;
            this.name = name;
            this.address = address;
            this.source = source;
        }

        @Override
        public String toString() {
            return "fd " + socket.intValue() + " (" + source + (name.equals("unknown") ? "" : ", " + name) + ") on "
                    + address.getAddress().getHostAddress() + ":" + address.getPort();
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private boolean environmentRead;
    private IllegalStateException environmentFailure;

    private ListenSockets() {
    }

    public static ListenSockets get() {
        return INSTANCE;
    }

    /**
     * The fds {@code env} passes to process {@code pid}, as {@code sd_listen_fds} reads them: none when
     * {@code LISTEN_FDS} is unset or {@code LISTEN_PID} names another process (they were meant for it); names from
     * {@code LISTEN_FDNAMES} when it has one per fd, else "unknown". Throws {@link IllegalArgumentException} for
     * values that are not numbers.
     */
    public static List<Given> parse(Map<String, String> env, long pid) {
        String fds = env.get(ENV_FDS);
        if (fds == null || fds.isBlank()) {
            return List.of();
        }
        String forPid = env.get(ENV_PID);
        if (forPid != null && !forPid.isBlank()) {
            long p;
            try {
                p = Long.parseLong(forPid.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(ENV_PID + "=" + forPid + " is not a process id");
            }
            if (p != pid) {
                return List.of();
            }
        }
        int n;
        try {
            n = Integer.parseInt(fds.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV_FDS + "=" + fds + " is not a number of file descriptors");
        }
        if (n < 0 || n > 1024) {
            throw new IllegalArgumentException(ENV_FDS + "=" + fds + " is not a number of file descriptors (0 to 1024)");
        }
        String names = env.get(ENV_NAMES);
        String[] split = names == null ? new String[0] : names.split(":", -1);
        boolean named = split.length == n;
        List<Given> given = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            given.add(new Given(FIRST_FD + i, named && !split[i].isEmpty() ? split[i] : "unknown"));
        }
        return given;
    }

    /**
     * Adopts what this process was started with ({@code LISTEN_FDS}), once; the primary calls it as it starts.
     * Throws {@link IllegalStateException} with the reason when a given fd cannot be served.
     */
    synchronized void adoptEnvironment() {
        if (environmentFailure != null) {
            throw environmentFailure; // every start fails the same way: no primary without the sockets it was given
        }
        if (environmentRead) {
            return;
        }
        environmentRead = true;
        try {
            for (Given g : parse(System.getenv(), ProcessHandle.current().pid())) {
                adopt(g.fd(), g.name(), ENV_FDS);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            environmentFailure = new IllegalStateException("socket activation: " + e.getMessage(), e);
            throw environmentFailure;
        }
    }

    /**
     * Takes {@code fd}, a listening TCP socket, as given under {@code name} by {@code source}; it is made
     * non-blocking (the primary accepts until EAGAIN). Throws {@link IllegalStateException} when it is not one.
     */
    public synchronized void adopt(int fd, String name, String source) {
        Socket s = new Socket(fd);
        InetSocketAddress address;
        try {
            if (s.getIntOpt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM || s.getIntOpt(SOL_SOCKET, SO_ACCEPTCONN) != 1) {
                throw new IllegalStateException("fd " + fd + " (" + source + ") is not a listening stream socket");
            }
            int domain = s.getIntOpt(SOL_SOCKET, SO_DOMAIN);
            if (domain != AF_INET && domain != AF_INET6) {
                throw new IllegalStateException("fd " + fd + " (" + source + ") is not a TCP socket (address family "
                        + domain + "); jcluster serves TCP");
            }
            address = s.localAddress();
        } catch (IOException e) {
            throw new IllegalStateException("fd " + fd + " (" + source + ") is not a socket this process can use: "
                    + e.getMessage(), e);
        }
        if (Sockets.UNAVAILABLE != null) {
            throw new IllegalStateException("cannot serve fd " + fd + " (" + source + "): making it non-blocking needs "
                    + "libjcluster-sockets (" + Sockets.UNAVAILABLE + ")");
        }
        int rc = Sockets.setNonBlocking(fd);
        if (rc < 0) {
            throw new IllegalStateException("cannot make fd " + fd + " (" + source + ") non-blocking: errno " + -rc);
        }
        Entry e = new Entry(s, name, address, source);
        entries.add(e);
        log.info("listening socket given: {}", e);
    }

    /**
     * The given socket for a listen on {@code host:port} ({@code key}), or null: one named {@code key} first (a
     * hand-over names each socket by the listen it served, so {@code host:0} finds its socket again), then one
     * bound to the address. Several listens of one address (workers of one handle) are one handle, so a socket
     * serves one handle at a time; a closed handle's socket can be taken again.
     */
    synchronized Socket take(String key, String host, int port, InetSocketAddress at) {
        Entry found = null;
        for (Entry e : entries) {
            if (!e.used && e.name.equals(key)) {
                found = e;
                break;
            }
        }
        if (found == null) {
            for (Entry e : entries) {
                if (!e.used && matches(e.address, host, port, at)) {
                    found = e;
                    break;
                }
            }
        }
        if (found == null) {
            if (!entries.isEmpty()) {
                log.info("no given listening socket matches {}; binding it", key);
            }
            return null;
        }
        found.used = true;
        log.info("serving {} on the given {}", key, found);
        return found.socket;
    }

    /** The handle that took {@code socket} closed: it may be taken again. */
    synchronized void giveBack(Socket socket) {
        for (Entry e : entries) {
            if (e.socket == socket) {
                e.used = false;
            }
        }
    }

    /**
     * True when a socket bound to {@code have} serves a listen on {@code host:port}: the same port, and either both
     * on every interface ("" or a wildcard address asked, a wildcard bound; IPv4 and IPv6 alike, as a dual-stack
     * socket serves both) or the same address. Port 0 (any port) matches no address: only a name finds it.
     */
    static boolean matches(InetSocketAddress have, String host, int port, InetSocketAddress at) {
        if (port == 0 || have.getPort() != port) {
            return false;
        }
        boolean haveAny = have.getAddress().isAnyLocalAddress();
        if (host.isEmpty()) {
            return haveAny;
        }
        if (at == null || at.isUnresolved()) {
            return false;
        }
        return at.getAddress().isAnyLocalAddress() ? haveAny : at.getAddress().equals(have.getAddress());
    }

    /** The given sockets no listen has taken, each reported once ("fd 3 (LISTEN_FDS) on ::0:8080"). */
    public synchronized List<String> unusedOnce() {
        List<String> unused = new ArrayList<>();
        for (Entry e : entries) {
            if (!e.used && !e.reported) {
                e.reported = true;
                unused.add(e.toString());
            }
        }
        return unused;
    }

    public synchronized boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The given sockets no handle holds now, by name, for a hand-over (the handles' own come from the dispatcher). */
    synchronized Map<String, Socket> idle() {
        Map<String, Socket> idle = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (!e.used) {
                idle.putIfAbsent(e.name.equals("unknown") ? "fd" + e.socket.intValue() : e.name, e.socket);
            }
        }
        return idle;
    }
}
