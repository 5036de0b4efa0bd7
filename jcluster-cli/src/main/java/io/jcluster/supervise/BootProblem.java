package io.jcluster.supervise;

import io.jcluster.cluster.BootFailure;
import io.jcluster.cluster.ListenException;
import io.jcluster.cluster.Worker;
import io.jcluster.contract.ExitCode;
import java.nio.file.Path;

/**
 * Why a start failed, as the one line {@code jcluster start} prints and the exit status it returns. Made from what
 * the core reports ({@link io.jcluster.cluster.Cluster#onListenError}, {@link io.jcluster.cluster.Cluster#onBootFailure}),
 * never from a worker's output.
 */
public record BootProblem(ExitCode exit, String message, String cause) {

    public BootProblem(ExitCode exit, String message) {
        this(exit, message, message);
    }

    /** A worker's listen failed: the port is in use, or the address cannot be listened on. */
    static BootProblem of(ListenException e) {
        String host = e.host() == null || e.host().isEmpty() ? "0.0.0.0" : e.host();
        String addr = host + ":" + e.port();
        if (e.code().equals("EADDRINUSE")) {
            return new BootProblem(ExitCode.PORT_IN_USE, "port " + e.port() + " is in use (" + addr + "): stop what "
                    + "uses it, or give the application another port", e.getMessage());
        }
        if (e.code().equals("EACCES")) {
            int first = unprivilegedPortStart();
            return new BootProblem(ExitCode.BOOT_FAILED, "permission denied to listen on port " + e.port() + " (" + addr
                    + ", EACCES): " + (e.port() > 0 && e.port() < first ? "ports below " + first + " need root or the "
                    + "capability CAP_NET_BIND_SERVICE; give the application a port from " + first + " up, or the "
                    + "capability" : "give the application another address or port"), e.getMessage());
        }
        return new BootProblem(ExitCode.BOOT_FAILED, "the workers cannot listen on " + addr + " (" + e.code()
                + "): give the application another address or port", e.getMessage());
    }

    /** The first port an unprivileged process may bind ({@code net.ipv4.ip_unprivileged_port_start}; 1024 if unknown). */
    static int unprivilegedPortStart() {
        try {
            // Not Files.readString: it reads a size-0 file a byte first, and a sysctl read at an offset is empty ("1").
            return Integer.parseInt(java.nio.file.Files.readAllLines(
                    Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).get(0).trim());
        } catch (java.io.IOException | RuntimeException e) {
            return 1024; // the kernel's default, and what older kernels without the sysctl fix
        }
    }

    /**
     * A worker exited before it listened; {@code mergedLog} is where its output went, and also the primary's own output
     * ({@code onConsole}) unless it is a daemon.
     */
    static BootProblem of(Worker w, BootFailure f, Path mergedLog, boolean onConsole) {
        return switch (f.cause()) {
            case LISTEN_ERROR -> of(f.listenError());
            case NO_MAIN_CLASS -> new BootProblem(ExitCode.NO_MAIN_CLASS, "the workers found no main class "
                    + f.detail().split(" ", 2)[0] + "; check --main-class and --classpath");
            case MAIN_THREW, EXITED_BEFORE_LISTENING -> new BootProblem(ExitCode.BOOT_FAILED, "worker " + w.id()
                    + " (pid " + w.pid() + ") exited (" + f.exit() + ") before it listened; its output is "
                    + (onConsole ? "above and " : "") + "in " + mergedLog);
        };
    }
}
