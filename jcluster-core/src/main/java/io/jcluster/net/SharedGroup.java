package io.jcluster.net;

import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;

/**
 * Internal: the event loops of standalone servers. Like Node, the process stays alive while a server is
 * open: the loops are non-daemon threads, started by the first server and shut down when the last closes.
 */
public final class SharedGroup {
    private static EventLoopGroup group;
    private static int users;

    private SharedGroup() {
    }

    public static synchronized EventLoopGroup acquire() {
        if (group == null) {
            group = Transport.newGroup(threads(), "jcluster-io", false);
        }
        users++;
        return group;
    }

    public static synchronized void release() {
        if (--users == 0) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            group = null;
        }
    }

    static int threads() {
        String v = System.getenv("JCLUSTER_IO_THREADS");
        return v == null || v.isBlank() ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(v.trim());
    }
}
