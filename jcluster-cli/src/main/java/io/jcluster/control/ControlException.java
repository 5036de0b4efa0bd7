package io.jcluster.control;

/** A control request failed; the message is what the client prints. */
public final class ControlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ControlException(String message) {
        super(message);
    }
}
