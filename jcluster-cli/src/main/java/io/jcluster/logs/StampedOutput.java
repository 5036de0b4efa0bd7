package io.jcluster.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * An output stream that starts every line with {@link LogSink#timestamp()}: a daemon's stdout and stderr, which go
 * to {@code primary.log}, so that each of its lines says when. Lines are written whole (one write each).
 */
public final class StampedOutput extends OutputStream {
    private final OutputStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    public StampedOutput(OutputStream target) {
        this.target = target;
    }

    /** {@code stream}'s bytes, each line stamped, as a UTF-8 print stream that flushes at each line. */
    public static PrintStream wrap(OutputStream stream) {
        return new PrintStream(new StampedOutput(stream), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) throws IOException {
        line.write(b);
        if (b == '\n') {
            emit();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    private void emit() throws IOException {
        byte[] stamp = (LogSink.timestamp() + " ").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[stamp.length + line.size()];
        System.arraycopy(stamp, 0, all, 0, stamp.length);
        System.arraycopy(line.toByteArray(), 0, all, stamp.length, line.size());
        line.reset();
        target.write(all);
        target.flush();
    }

    @Override
    public synchronized void flush() throws IOException {
        target.flush(); // a partial line waits for its end: a stamp belongs at a line's start only
    }

    @Override
    public synchronized void close() throws IOException {
        if (line.size() > 0) {
            line.write('\n');
            emit();
        }
        target.close();
    }
}
