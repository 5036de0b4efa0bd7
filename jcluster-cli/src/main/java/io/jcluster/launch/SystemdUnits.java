package io.jcluster.launch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The systemd units of {@code jcluster startup systemd NAME}: a service that runs the primary in the foreground
 * and a socket unit that holds its listening sockets (socket activation: the primary takes them from
 * {@code LISTEN_FDS} instead of binding, so a restart of the primary leaves the port open). Pure rendering.
 *
 * <p>Stopping lines up with the drain: {@code KillMode=mixed} sends SIGTERM to the primary only (it drains its
 * workers within the drain timeout and exits; the workers never see systemd's signal), and
 * {@code TimeoutStopSec} is the drain timeout plus {@link #STOP_MARGIN}, after which systemd kills what is left.
 */
public final class SystemdUnits {
    /** What the primary needs beyond the drain timeout to see its workers out and exit. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(15);
    /** What the primary needs beyond the ready timeout to start its JVM and its workers'. */
    static final Duration START_MARGIN = Duration.ofSeconds(30);

    /**
     * What the units are made of. {@code launcher} is the command that runs jcluster (bin/jcluster, or java -jar);
     * {@code startArgs} follow {@code start}; {@code writable} are the directories the service writes (the
     * registry, logs, caches); {@code listens} the socket unit's {@code ListenStream=} values (none: no socket unit).
     */
    public record Inputs(String name, List<String> launcher, List<String> startArgs, Path workingDirectory, String user,
                         String path, List<String> environment, List<Path> writable, Duration drainTimeout,
                         Duration readyTimeout, List<String> listens) {
    }

    private SystemdUnits() {
    }

    /** The port the application is told to listen on (PORT, --server.port=…), for the socket unit; null if none. */
    public static String expectedPort(StartSpec spec) {
        String p = ExpectedPort.of(spec.args, spec.jvmArgs, spec.env);
        return p == null ? null : p.split(" ")[1];
    }

    public static String service(Inputs in) {
        boolean socket = !in.listens().isEmpty();
        StringBuilder b = new StringBuilder();
        b.append("[Unit]\n");
        b.append("Description=jcluster ").append(in.name()).append('\n');
        b.append("After=network-online.target").append(socket ? " " + in.name() + ".socket" : "").append('\n');
        b.append("Wants=network-online.target\n");
        if (socket) {
            b.append("# The socket unit holds the port: connections queue in the kernel while the primary restarts.\n");
            b.append("Requires=").append(in.name()).append(".socket\n");
        }
        b.append("\n[Service]\n");
        b.append("# The primary runs in the foreground; it forks the workers (one cgroup: systemd sees them all).\n");
        b.append("Type=exec\n");
        if (in.user() != null && !in.user().equals("root")) {
            b.append("User=").append(in.user()).append('\n');
        }
        b.append("WorkingDirectory=").append(in.workingDirectory()).append('\n');
        b.append("Environment=").append(quote("PATH=" + in.path())).append('\n');
        for (String e : in.environment()) {
            b.append("Environment=").append(quote(e)).append('\n');
        }
        b.append("ExecStart=").append(command(in.launcher(), "start", in.startArgs())).append('\n');
        b.append("# A rolling reload of the workers, readiness-gated (systemctl reload ").append(in.name()).append(").\n");
        b.append("ExecReload=").append(command(in.launcher(), "reload", List.of(in.name()))).append('\n');
        b.append("# SIGTERM to the primary only: it drains its workers (drain timeout ")
                .append(seconds(in.drainTimeout())).append(" s) and exits; what is left at TimeoutStopSec is killed.\n");
        b.append("KillMode=mixed\n");
        b.append("KillSignal=SIGTERM\n");
        b.append("# A JVM that a signal ended before its handler ran exits with 128+15.\n");
        b.append("SuccessExitStatus=143\n");
        b.append("TimeoutStopSec=").append(seconds(in.drainTimeout().plus(STOP_MARGIN))).append('\n');
        b.append("TimeoutStartSec=").append(seconds(in.readyTimeout().plus(START_MARGIN))).append('\n');
        b.append("Restart=on-failure\n");
        b.append("RestartSec=2\n");
        b.append("# Connections come and go as file descriptors (one per connection in flight, per worker).\n");
        b.append("LimitNOFILE=65536\n");
        b.append("# Hardening: nothing here stops a JVM (its JIT needs writable and executable memory: no "
                + "MemoryDenyWriteExecute).\n");
        for (String line : List.of("NoNewPrivileges=yes", "PrivateTmp=yes", "PrivateDevices=yes", "ProtectSystem=strict",
                "ProtectHome=read-only", "ProtectKernelTunables=yes", "ProtectKernelModules=yes",
                "ProtectKernelLogs=yes", "ProtectControlGroups=yes", "ProtectClock=yes", "ProtectHostname=yes",
                "RestrictSUIDSGID=yes", "RestrictRealtime=yes", "RestrictNamespaces=yes", "LockPersonality=yes",
                "SystemCallArchitectures=native", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
                "UMask=0077")) {
            b.append(line).append('\n');
        }
        b.append("# What jcluster writes: its registry (control socket, pid file), logs, and caches (class data, "
                + "native libraries). They must exist ('startup' makes them): nothing can create them under "
                + "ProtectSystem=strict ('-': a missing one does not stop the unit).\n");
        b.append("ReadWritePaths=").append(in.writable().stream().map(p -> "-" + quote(p.toString()))
                .collect(Collectors.joining(" "))).append('\n');
        b.append("\n[Install]\n");
        b.append("WantedBy=multi-user.target\n");
        return b.toString();
    }

    public static String socket(Inputs in) {
        StringBuilder b = new StringBuilder();
        b.append("[Unit]\n");
        b.append("Description=jcluster ").append(in.name()).append(": its listening sockets, held across restarts\n");
        b.append("\n[Socket]\n");
        b.append("# The primary serves a worker's listen on a matching address from these (LISTEN_FDS), binding nothing.\n");
        for (String l : in.listens()) {
            b.append("ListenStream=").append(l).append('\n');
        }
        b.append("Backlog=511\n");
        b.append("ReuseAddress=yes\n");
        b.append("Service=").append(in.name()).append(".service\n");
        b.append("\n[Install]\n");
        b.append("WantedBy=sockets.target\n");
        return b.toString();
    }

    /** A command line for ExecStart=: each word quoted when it needs it (systemd's own quoting rules). */
    static String command(List<String> launcher, String verb, List<String> args) {
        StringBuilder b = new StringBuilder();
        for (String w : launcher) {
            b.append(b.length() == 0 ? "" : " ").append(quote(w));
        }
        b.append(' ').append(verb);
        for (String a : args) {
            b.append(' ').append(quote(a));
        }
        return b.toString();
    }

    /** systemd's quoting: double quotes around a word with spaces, quotes, backslashes or '%' ('%' doubled). */
    static String quote(String w) {
        String s = w.replace("%", "%%");
        if (!s.isEmpty() && s.chars().noneMatch(c -> c == ' ' || c == '"' || c == '\\' || c == '\'' || c == '\t'
                || c == '$' || c == ';')) {
            return s;
        }
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "$$") + "\"";
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
