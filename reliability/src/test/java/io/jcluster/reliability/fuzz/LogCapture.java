package io.jcluster.reliability.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what slf4j-simple writes to System.err while one input runs (slf4j-simple looks System.err up at
 * each call unless told to cache it), to find WARN and ERROR lines of the code under test: the HTTP layer logs
 * an exception that escaped its own handling at WARN ("connection … failed") or ERROR.
 */
final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    LogCapture() {
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    }

    /** Lines at WARN or ERROR from a logger under {@code prefix}. */
    List<String> problems(String prefix) {
        return bytes.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> (l.contains(" WARN " + prefix) || l.contains(" ERROR " + prefix)))
                .toList();
    }

    String all() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
