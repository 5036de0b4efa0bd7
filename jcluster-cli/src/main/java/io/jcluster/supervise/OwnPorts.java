package io.jcluster.supervise;

import java.util.Set;

/**
 * STOP-GAP until the javaagent work lands (then every app's listen goes through the cluster and
 * {@link io.jcluster.cluster.Worker#listening()} says it all): the ports a worker's process holds a listening
 * socket on by itself, read from {@code /proc/PID/fd} and {@code /proc/net/tcp}. A reload waits until a replacement
 * holds the ports its old worker held this way, so an app that binds its own server is ready before the old one
 * leaves. The only place outside {@link ProcStats} that looks at a worker's sockets.
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
