package io.jcluster.cluster;

/**
 * Why a worker exited before it served: {@link Cluster#onBootFailure} reports it once per worker, as data the
 * worker sent or the primary saw, never read from its output. A worker stopped on purpose (disconnect, kill)
 * before it listened is no boot failure.
 *
 * @param cause       what went wrong
 * @param detail      a one-line description (the class name, the exception, the listen error)
 * @param listenError for {@link Cause#LISTEN_ERROR}, the error its listen got; else null
 * @param exit        how the worker process ended
 */
public record BootFailure(Cause cause, String detail, ListenException listenError, ExitStatus exit) {

    public enum Cause {
        /** The main class to run does not exist or has no {@code public static void main(String[])}. */
        NO_MAIN_CLASS,
        /** The program's main threw before any of its servers listened. */
        MAIN_THREW,
        /** A listen failed (port in use, permission denied, bad address), and then the worker exited. */
        LISTEN_ERROR,
        /** It exited before listening, with no other cause known. */
        EXITED_BEFORE_LISTENING
    }

    @Override
    public String toString() {
        return cause + ": " + detail + " (" + exit + ")";
    }
}
