package io.jcluster.cli;

/** The command line's exit statuses. */
public enum ExitCode {
    OK(0),
    /** The command failed (a cluster could not start, a worker could not listen). */
    FAILED(1),
    /** The command line was wrong (picocli's usage error status). */
    USAGE(2),
    /** Not an exit: the command left a cluster running in this JVM, which exits when the cluster stops. */
    RUNNING(-1);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
