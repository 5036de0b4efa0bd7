package io.jcluster.contract;

/**
 * The command line's exit statuses. They are a contract: scripts and service managers test them, so a code
 * is never reused for another meaning. {@code jcluster --help} and jcluster-cli/README.md list them.
 */
public enum ExitCode {
    OK(0, "success"),
    /** The command failed (a cluster could not start, a worker could not listen, a request failed). */
    FAILED(1, "the command failed; its message says why"),
    /** The command line or the config file was wrong (picocli's usage error status). */
    USAGE(2, "wrong arguments or config file"),
    /** No cluster by that name is running. */
    NO_SUCH_CLUSTER(3, "no cluster by that name is running"),
    /** The registry names a cluster whose primary died without stopping: its control socket is stale. */
    STALE(4, "the cluster's primary died: its control socket was stale (and was removed)"),
    /** The application jar, or a classpath entry, does not exist. */
    APP_NOT_FOUND(5, "the application jar or a classpath entry does not exist"),
    /** No main class: the jar has no Main-Class, or the class is not on the classpath. */
    NO_MAIN_CLASS(6, "the main class is missing or unknown"),
    /** A worker could not listen because the port is in use. */
    PORT_IN_USE(7, "the application's port is in use"),
    /** The workers did not start: they exited before listening, or did not listen in time. */
    BOOT_FAILED(8, "the workers failed to boot"),
    /** A running cluster already has that name. */
    NAME_IN_USE(9, "a running cluster already has that name"),
    /** A reload stopped because a new worker did not become ready; the old workers kept serving. */
    RELOAD_FAILED(10, "a reload stopped; the old workers kept serving"),
    /** The primary did not answer in time. */
    TIMEOUT(11, "the primary did not answer in time"),
    /** The admin endpoint asked for ({@code --admin}) cannot listen on its address (in use, not this machine's). */
    ADMIN_UNAVAILABLE(12, "the admin endpoint (--admin) cannot listen on its address"),
    /** An upgrade stopped: the new primary did not become ready and exited; the old one kept serving. */
    UPGRADE_FAILED(13, "an upgrade failed; the old primary kept serving"),
    /** Not an exit: the command left a cluster running in this JVM, which exits when the cluster stops. */
    RUNNING(-1, "(internal) a cluster is running in this JVM");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
