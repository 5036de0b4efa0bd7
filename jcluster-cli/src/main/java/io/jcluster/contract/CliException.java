package io.jcluster.contract;

/**
 * A failure the command line reports as one line ({@code jcluster: MESSAGE}) and an {@link ExitCode}. The
 * message says what went wrong and what to do.
 */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ExitCode exit;

    public CliException(ExitCode exit, String message) {
        super(message);
        this.exit = exit;
    }

    public CliException(ExitCode exit, String message, Throwable cause) {
        super(message, cause);
        this.exit = exit;
    }

    public ExitCode exit() {
        return exit;
    }
}
