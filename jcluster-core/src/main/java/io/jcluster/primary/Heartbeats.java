package io.jcluster.primary;

import io.jcluster.cluster.WorkerState;
import io.jcluster.cluster.WorkerStats;
import io.jcluster.ipc.Message;
import io.netty.channel.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's heartbeats: every interval it pings each connected worker's event loop; the pong carries the
 * worker's open connections and requests served; a loop silent past the timeout is reported once per episode
 * to {@code Cluster.onUnresponsive}. Supervisor thread only.
 */
final class Heartbeats {
    private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

    private final Collection<WorkerHandle> workers;
    private final Supplier<Duration> timeout;
    private final Events events;
    private long seq;

    Heartbeats(Collection<WorkerHandle> workers, Supplier<Duration> timeout, Events events) {
        this.workers = workers;
        this.timeout = timeout;
        this.events = events;
    }

    /** A worker came online: its silence is counted from now. */
    static void started(WorkerHandle w) {
        w.lastHeartbeatNanos = System.nanoTime();
    }

    static void pong(WorkerHandle w, Message.Pong p) {
        w.lastHeartbeatNanos = System.nanoTime();
        w.unresponsiveReported = false;
        w.stats(new WorkerStats(p.connections(), p.requests(), Instant.now()));
    }

    /** Pings every connected worker; reports once a worker whose event loop stayed silent past the timeout. */
    void beat() {
        long now = System.nanoTime();
        long limit = timeout.get().toNanos();
        for (WorkerHandle w : workers) {
            WorkerState s = w.state();
            if (s != WorkerState.ONLINE && s != WorkerState.LISTENING) {
                continue;
            }
            Channel c = w.control();
            if (c != null && c.isActive()) {
                c.writeAndFlush(new Message.Ping(++seq));
            }
            long silent = now - w.lastHeartbeatNanos;
            if (silent > limit && !w.unresponsiveReported) {
                w.unresponsiveReported = true;
                Duration d = Duration.ofNanos(silent);
                log.warn("worker {} (pid {}) has not answered a heartbeat for {} ms", w.id(), w.pid(), d.toMillis());
                events.unresponsive.fire(l -> l.accept(w, d));
            }
        }
    }
}
