package io.jcluster.primary;

import io.jcluster.cluster.AppMetrics;
import io.jcluster.cluster.LatencyHistogram;
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
 * worker's open connections and requests served, and its round trip is the worker's heartbeat latency; a loop silent
 * past the timeout is reported once per episode to {@code Cluster.onUnresponsive}. The worker's stats reports
 * (heap, GC, accepted connections, request durations, app metrics) land here too. Supervisor thread only.
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

    /**
     * A pong, read on the I/O loop at {@code receivedNanos}: the heartbeat latency is the round trip of the oldest
     * ping it answers (a loop that was stuck answers every ping it missed at once; its lag is the oldest one's).
     */
    static void pong(WorkerHandle w, Message.Pong p, long receivedNanos) {
        w.lastHeartbeatNanos = System.nanoTime();
        w.unresponsiveReported = false;
        Duration latency = w.stats().heartbeatLatency();
        if (w.pingSentNanos != 0 && p.seq() >= w.pingSeq) {
            latency = Duration.ofNanos(Math.max(0, receivedNanos - w.pingSentNanos));
            w.pingSentNanos = 0;
        }
        w.stats(w.stats().withHeartbeat(p.connections(), p.requests(), Instant.now(), latency));
    }

    /** A stats report (once a second from each worker), read on the I/O loop. */
    static void stats(WorkerHandle w, Message.Stats s) {
        long[] d = s.durationCounts();
        LatencyHistogram h = d.length == LatencyHistogram.BOUNDS_SECONDS.length + 1
                ? new LatencyHistogram(d, s.durationSumNanos() / 1e9) : null;
        w.stats(w.stats().withReport(s.heapUsedBytes(), Duration.ofNanos(s.gcPauseNanos()), s.acceptedConnections(),
                h, AppMetrics.ofEncoded(s.appMetrics()), Instant.now()));
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
                if (w.pingSentNanos == 0) {
                    w.pingSeq = seq;
                    w.pingSentNanos = now;
                } else if (w.stats().heartbeatLatency() == null
                        || now - w.pingSentNanos > w.stats().heartbeatLatency().toNanos()) {
                    // still unanswered: the lag is at least this long already
                    WorkerStats st = w.stats();
                    w.stats(st.withHeartbeat(st.connections(), st.requests(), st.lastHeartbeat(),
                            Duration.ofNanos(now - w.pingSentNanos)));
                }
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
