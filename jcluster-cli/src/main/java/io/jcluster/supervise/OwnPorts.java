package io.jcluster.supervise;

import java.util.Set;

/**
 * The ports a worker's process holds a listening socket on, read from {@code /proc/PID/fd} and
 * {@code /proc/net/tcp}. With jcluster's agent (the default) every listen goes through the cluster and
 * {@link io.jcluster.cluster.Worker#listening()} says it all; an application run with {@code --agent off} binds its
 * own server, and only this tells when it is ready: a reload waits until a replacement holds the ports its old
 * worker held, so it serves before the old one leaves. The only place outside {@link ProcStats} that looks at a
 * worker's sockets.
 */
final class OwnPorts {
    private OwnPorts() {
    }

    /** The ports {@code pid} listens on by itself (empty when none, or when /proc cannot tell). */
    static Set<Integer> of(long pid) {
        return ProcStats.listeningPorts(pid);
    }

    /** True when {@code pid} listens by itself on every port of {@code ports}. */
    static boolean holds(long pid, Set<Integer> ports) {
        return ports.isEmpty() || ProcStats.listeningPorts(pid).containsAll(ports);
    }
}
