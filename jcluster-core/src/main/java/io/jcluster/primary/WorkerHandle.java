package io.jcluster.primary;

import io.jcluster.cluster.BootFailure;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.ListenException;
import io.jcluster.cluster.WorkerState;
import io.jcluster.cluster.WorkerStats;
import io.jcluster.cluster.RequestException;
import io.jcluster.internal.PendingReplies;
import io.jcluster.internal.WorkerBase;
import io.jcluster.ipc.Message;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
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
    /** Node's flag: the worker left through a disconnect (ours or its own), not by dying or being killed. */
    private volatile boolean exitedAfterDisconnect;
    /** Asked to stop (disconnect or kill, from the API): the restart policy leaves it dead. */
    private volatile boolean stopRequested;
    private volatile Process process;
    private volatile long startedAt;
    private volatile WorkerStats stats = WorkerStats.NONE;
    /** Supervisor thread only: when the event loop last answered (or came online), and whether we said it hangs. */
    long lastHeartbeatNanos;
    boolean unresponsiveReported;
    /** Supervisor thread only: the oldest ping not answered yet (its sequence number, when sent; 0: none). */
    long pingSeq;
    long pingSentNanos;
    private volatile Channel control;
    private volatile FdLink fdLink;
    volatile Channel ipcServer;
    /** Set just before the disconnect event fires: from then on {@link #isConnected()} is false. */
    private volatile boolean disconnectFired;
    /**
     * Messages sent before the links were up (Node queues them from the fork, and so do we); null once linked.
     * Guarded by {@code this}.
     */
    private ArrayDeque<Queued> unsent = new ArrayDeque<>();

    /** The most messages kept for a worker whose links are not up yet. */
    static final int MAX_UNSENT = 1024;

    private record Queued(Message message, int bytes, Consumer<Throwable> done) { }

    /** The primary's requests to this worker, waiting for replies. */
    private final PendingReplies replies;

    /** Completed on the supervisor thread, before the matching listeners run. */
    final CompletableFuture<Void> online = new CompletableFuture<>();
    final CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
    final CompletableFuture<ExitStatus> exited = new CompletableFuture<>();
    /** Supervisor thread only: why it could not boot, as the worker said (BootFailed) or its listen failed. */
    BootFailure.Cause bootCause;
    String bootDetail;
    ListenException listenError;

    /** Out of rotation until promoted ({@link Spares}); set from the slot at fork, cleared once. */
    private volatile boolean spare;
    /** A spare was promoted in its place (it died in rotation). Guarded by {@link Spares}. */
    boolean replacedBySpare;

    WorkerHandle(Primary primary, int id, Slot slot, String token) {
        this.primary = primary;
        this.id = id;
        this.slot = slot;
        this.token = token;
        // The primary's listener thread is looked up when a reply completes, not here: a handle exists before
        // (and, in unit tests, without) a running primary.
        this.replies = new PendingReplies(task -> primary.listenerThread().execute(task), "worker " + id,
                RequestException.MAX_PENDING);
        this.spare = slot.spare;
    }

    @Override
    public boolean isSpare() {
        return spare;
    }

    /** Under {@link Spares}' lock only. */
    void promoted() {
        spare = false;
    }

    @Override
    public boolean promote() {
        return primary.spares.promoteNow(this);
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

    /** A disconnect, asked by the primary or by the worker itself. */
    void markDisconnecting() {
        exitedAfterDisconnect = true;
        stopRequested = true;
    }

    /** A kill from the API: no restart, but, as in Node, not an exit after disconnect. */
    void markKilled() {
        stopRequested = true;
    }

    boolean stopRequested() {
        return stopRequested;
    }

    /** Supervisor thread only: marks the disconnect event as fired; false when it had been already. */
    boolean fireDisconnectOnce() {
        if (disconnectFired) {
            return false;
        }
        disconnectFired = true;
        return true;
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
    protected PendingReplies replies() {
        return replies;
    }

    @Override
    protected boolean sendMessage(Message message, int bytes, Consumer<Throwable> done) {
        Channel c;
        synchronized (this) {
            if (disconnectFired || state == WorkerState.DEAD) {
                primary.callback(done, new IllegalStateException("worker " + id + " is not connected"));
                return false;
            }
            if (unsent != null) {
                if (unsent.size() >= MAX_UNSENT) {
                    primary.callback(done, new IllegalStateException("worker " + id + " is not connected yet and "
                            + MAX_UNSENT + " messages already wait for it"));
                    return false;
                }
                unsent.add(new Queued(message, bytes, done));
                return true;
            }
            c = control;
        }
        return write(c, message, bytes, budget, "worker " + id, done, primary.listenerThread());
    }

    /** Both links are up (I/O loop, after the Welcome): what was sent before goes now, in order. */
    void linked() {
        ArrayDeque<Queued> q;
        synchronized (this) {
            q = unsent;
            unsent = null;
        }
        for (Queued m : q) {
            write(control, m.message(), m.bytes(), budget, "worker " + id, m.done(), primary.listenerThread());
        }
    }

    /** The worker's link ended: the primary's requests to it fail ({@code PEER_GONE}); returns how many. */
    int failRequests(String why) {
        return replies.failAll(why);
    }

    /** A reply from the worker to one of the primary's requests (any thread). */
    void reply(Message.Reply r) {
        replies.complete(r);
    }

    /** The worker exited: messages that never reached it fail. Returns how many. */
    int dropUnsent() {
        ArrayDeque<Queued> q;
        synchronized (this) {
            q = unsent;
            unsent = null;
        }
        if (q == null) {
            return 0;
        }
        for (Queued m : q) {
            primary.callback(m.done(), new IllegalStateException("worker " + id + " exited before its link came up"));
        }
        return q.size();
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
        return slot.env;
    }

    @Override
    public int slot() {
        return slot.number;
    }

    @Override
    public int generation() {
        return slot.generation;
    }

    @Override
    public CompletableFuture<Void> online() {
        return online;
    }

    @Override
    public CompletableFuture<InetSocketAddress> listening() {
        return listening;
    }

    @Override
    public CompletableFuture<ExitStatus> exited() {
        return exited;
    }

    @Override
    public CompletableFuture<ExitStatus> retire(Duration drain) {
        return primary.retire(this, drain);
    }

    @Override
    public void cancelRestarts() {
        primary.cancelRestarts(this);
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

    /** As Node's: true from the fork (messages queue until the link is up) until the disconnect event. */
    @Override
    public boolean isConnected() {
        return !disconnectFired && state != WorkerState.DEAD;
    }

    @Override
    public boolean exitedAfterDisconnect() {
        return exitedAfterDisconnect;
    }

    /** Supervisor thread, at its exit: why it never served, or null (it listened, or was stopped on purpose). */
    BootFailure bootFailure(ExitStatus status) {
        if (listening.isDone() || stopRequested) {
            return null;
        }
        if (listenError != null && bootCause != BootFailure.Cause.NO_MAIN_CLASS) { // a main that threw after it: the cause
            return new BootFailure(BootFailure.Cause.LISTEN_ERROR, listenError.getMessage(), listenError, status);
        }
        if (bootCause != null) {
            return new BootFailure(bootCause, bootDetail, null, status);
        }
        return new BootFailure(BootFailure.Cause.EXITED_BEFORE_LISTENING,
                "exited with " + status + " before it " + (online.isDone() ? "listened" : "came online"), null, status);
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
