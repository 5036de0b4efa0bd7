package io.jcluster.internal;

import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Internal: closing a file descriptor that is ours to close, where a failure can only be logged. */
public final class Fds {
    private static final Logger log = LoggerFactory.getLogger(Fds.class);

    private Fds() {
    }

    /** Closes {@code fd}; a failure (EBADF: a bug, EIO) is logged as a warning, never thrown. */
    public static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException e) {
            log.warn("could not close fd {}: {}", fd.intValue(), e.toString());
        }
    }
}
