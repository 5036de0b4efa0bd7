package io.jcluster.control;

import io.jcluster.contract.ExitCode;


/**
 * A control request failed; the message is what the client prints. {@link #exit} (null: the command's own) is the
 * exit status the client exits with; it crosses the control socket as the error reply's {@code "exit"}.
 */
public final class ControlException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ExitCode exit;

    public ControlException(String message) {
        this(message, null);
    }

    public ControlException(String message, ExitCode exit) {
        super(message);
        this.exit = exit;
    }

    /** The exit status the client should exit with, or null for the command's own failure status. */
    public ExitCode exit() {
        return exit;
    }
}
