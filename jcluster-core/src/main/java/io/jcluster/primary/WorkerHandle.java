package io.jcluster.primary;

import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.WorkerState;
import io.jcluster.cluster.WorkerStats;
import io.jcluster.internal.WorkerBase;
import io.netty.channel.Channel;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's handle on one worker process. Lifecycle fields change only on the supervisor thread;
 * the links are set on the I/O loop. Reads from other threads see volatile snapshots.
 */
final class WorkerHandle extends WorkerBase {
    private static final Logger log = LoggerFactory.getLogger(WorkerHandle.class);

    final Primary primary;
    final int id;
    final Slot slot;
    final String token;

    private volatile WorkerState state = WorkerState.SPAWNED;
    private volatile boolean exitedAfterDisconnect;
    private volatile Process process;
    private volatile long startedAt;
    private volatile WorkerStats stats = WorkerStats.NONE;
    /** Supervisor thread only: when the event loop last answered (or came online), and whether we said it hangs. */
    long lastHeartbeatNanos;
    boolean unresponsiveReported;
    private volatile Channel control;
    private volatile FdLink fdLink;
    volatile Channel ipcServer;
    boolean disconnectFired;

    /** A worker slot: what a replacement inherits (its environment and restart history). */
    record Slot(int number, Map<String, String> env, RestartTracker restarts) { }

    WorkerHandle(Primary primary, int id, Slot slot, String token) {
        this.primary = primary;
        this.id = id;
        this.slot = slot;
        this.token = token;
    }

    /** The spawner that started this worker (settings may change for later workers). */
    Spawner spawner;

    void started(Process p, Spawner s) {
        process = p;
        spawner = s;
        startedAt = System.nanoTime();
    }

    long uptimeMillis() {
        return (System.nanoTime() - startedAt) / 1_000_000;
    }

    Process process() {
        return process;
    }

    /** Supervisor thread only. */
    void transition(WorkerState to) {
        state = state.to(to);
    }

    void markExitedAfterDisconnect() {
        exitedAfterDisconnect = true;
    }

    Channel control() {
        return control;
    }

    FdLink fdLink() {
        return fdLink;
    }

    void control(Channel c) {
        control = c;
    }

    void fdLink(FdLink l) {
        fdLink = l;
    }

    /** A malformed frame or a protocol violation: the worker is killed (and replaced if restart is on). */
    void dropForBadInput(String why) {
        log.warn("dropping worker {} (pid {}): {}", id, pid(), why);
        Channel c = control;
        if (c != null) {
            c.close();
        }
        FdLink f = fdLink;
        if (f != null) {
            f.channel.close();
        }
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    @Override
    public WorkerState state() {
        return state;
    }

    @Override
    public boolean send(Object message) {
        return send(control, message);
    }

    @Override
    public void disconnect() {
        primary.disconnect(this);
    }

    @Override
    public void kill(String signal) {
        primary.kill(this, signal);
    }

    @Override
    public java.util.Map<String, String> forkEnv() {
        return slot.env();
    }

    @Override
    public WorkerStats stats() {
        return stats;
    }

    void stats(WorkerStats s) {
        stats = s;
    }

    @Override
    public boolean isDead() {
        return state == WorkerState.DEAD;
    }

    @Override
    public boolean isConnected() {
        Channel c = control;
        return c != null && c.isActive();
    }

    @Override
    public boolean exitedAfterDisconnect() {
        return exitedAfterDisconnect;
    }

    /** Sends a signal; TERM and KILL through the Process API, others through kill(1). */
    static void signal(Process p, String signal) {
        int n = ExitStatus.signalNumber(signal);
        if (n == 9) {
            p.destroyForcibly();
        } else if (n == 15) {
            p.destroy();
        } else {
            signal(p.pid(), signal);
        }
    }

    @Override
    public String toString() {
        return "worker " + id + " (pid " + pid() + ", " + state + ")";
    }
}
