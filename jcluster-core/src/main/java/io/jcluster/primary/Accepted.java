package io.jcluster.primary;

import io.netty.channel.unix.FileDescriptor;

/**
 * A connection accepted for sticky routing: its fd and its client's key ({@link io.jcluster.balance.Sticky#clientKey}),
 * kept with it through a refusal or a worker's death, so it goes back to the client's target. The other policies
 * keep plain {@link FileDescriptor}s.
 */
final class Accepted extends FileDescriptor {
    final long client;

    Accepted(int fd, long client) {
        super(fd);
        this.client = client;
    }
}
