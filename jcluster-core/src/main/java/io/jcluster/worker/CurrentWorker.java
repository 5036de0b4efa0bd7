package io.jcluster.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.Worker;
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
 * The current worker, as seen from inside it ({@code Cluster.worker()}): its identity from the environment, its
 * state as {@link WorkerRuntime} moves it, and the messages from the primary. As a Node worker reads no message
 * before its main has run, messages that arrive before the first {@code onMessage} listener wait for it.
 */
final class CurrentWorker extends WorkerBase {
    private static final Logger log = LoggerFactory.getLogger(CurrentWorker.class);
    /** Messages kept for the first message listener. */
    private static final int MAX_HELD_MESSAGES = 1024;

    private final WorkerRuntime runtime;
    private final int id;
    private final int slot = envInt(ENV_SLOT, 0);
    private final int generation = envInt(ENV_GENERATION, 1);
    final CompletableFuture<InetSocketAddress> firstListen = new CompletableFuture<>();
    /** Events thread only: messages that came before the first message listener, and whether one exists. */
    private final ArrayDeque<JsonNode> held = new ArrayDeque<>();
    private boolean listened;
    /** This worker's requests to the primary, waiting for replies. */
    private final PendingReplies replies;

    CurrentWorker(WorkerRuntime runtime, int id) {
        this.runtime = runtime;
        this.id = id;
        this.replies = new PendingReplies(runtime.events(), "the primary", RequestException.MAX_PENDING);
    }

    @Override
    protected PendingReplies replies() {
        return replies;
    }

    @Override
    protected boolean sendMessage(Message m, int bytes, Consumer<Throwable> done) {
        return write(runtime.control(), m, bytes, budget, "the primary", done, runtime.events());
    }

    /** {@code Cluster.broadcast} in a worker: the primary passes it to every other worker. */
    boolean broadcast(Object message) {
        byte[] json = io.jcluster.ipc.Json.write(message);
        return sendMessage(new Message.Broadcast(json), json.length, err -> {
            if (err != null) {
                log.warn("worker {}: a broadcast did not reach the primary: {}", id, err.getMessage());
            }
        });
    }

    /** A reply of the primary's (I/O loop). */
    void replyArrived(Message.Reply r) {
        replies.complete(r);
    }

    /** The link to the primary ended: this worker's requests fail. */
    void failRequests(String why) {
        replies.failAll(why);
    }

    /** Events thread: the primary's request, answered by this worker's handler. */
    void answer(Message.Request r) {
        JsonNode body;
        try {
            body = io.jcluster.ipc.Json.read(r.json());
        } catch (java.io.IOException e) {
            log.warn("worker {}: dropped a malformed request from the primary: {}", id, e.getMessage());
            return;
        }
        io.jcluster.internal.Replier.answer(r.id(), body, requestHandler(), reply -> sendMessage(reply,
                ((Message.Reply) reply).json().length, err -> {
                    if (err != null) {
                        log.warn("worker {}: could not reply to the primary's request: {}", id, err.getMessage());
                    }
                }));
    }

    /** Events thread: a message from the primary goes to the listeners, or waits for the first one. */
    void deliver(JsonNode node) {
        if (listened) {
            messageListeners.fire(l -> l.accept(node));
            return;
        }
        if (held.size() == MAX_HELD_MESSAGES) {
            log.warn("worker {}: {} messages wait for a message listener; dropping the oldest", id, MAX_HELD_MESSAGES);
            held.poll();
        }
        held.add(node);
    }

    /** Messages that came before the first listener go to it, in order. */
    @Override
    public Worker onMessage(Consumer<JsonNode> listener) {
        super.onMessage(listener);
        runtime.events().execute(this::releaseHeld);
        return this;
    }

    /** Events thread: the first message listener exists; what waited for it is delivered. */
    private void releaseHeld() {
        listened = true;
        for (JsonNode node; (node = held.poll()) != null; ) {
            JsonNode n = node;
            messageListeners.fire(l -> l.accept(n));
        }
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public int slot() {
        return slot;
    }

    @Override
    public int generation() {
        return generation;
    }

    @Override
    public WorkerState state() {
        return runtime.state();
    }

    @Override
    public CompletableFuture<Void> online() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<InetSocketAddress> listening() {
        return firstListen;
    }

    @Override
    public CompletableFuture<ExitStatus> exited() {
        return new CompletableFuture<>(); // a worker does not see its own exit
    }

    @Override
    public CompletableFuture<ExitStatus> retire(Duration drain) {
        throw new UnsupportedOperationException("retire() is for the primary; a worker calls disconnect()");
    }

    @Override
    public void cancelRestarts() {
        throw new UnsupportedOperationException("cancelRestarts() is for the primary");
    }

    @Override
    public void disconnect() {
        runtime.stop(WorkerRuntime.Stop.OWN_DISCONNECT);
    }

    /**
     * As Node's worker-side {@code kill()}: a graceful exit of this worker (it disconnects, exits with 0, and the
     * primary sees {@code exitedAfterDisconnect}); the signal is not sent. To die by a signal, raise it yourself.
     */
    @Override
    public void kill(String signal) {
        ExitStatus.signalNumber(signal); // an unknown signal name still fails here
        runtime.stop(WorkerRuntime.Stop.OWN_DISCONNECT);
    }

    @Override
    public boolean isDead() {
        return false;
    }

    @Override
    public Map<String, String> forkEnv() {
        return Map.of();
    }

    @Override
    public WorkerStats stats() {
        return new WorkerStats(Counters.connections(), Counters.requests(), null);
    }

    @Override
    public boolean isConnected() {
        Channel c = runtime.control();
        return !runtime.disconnected() && c != null && c.isActive();
    }

    @Override
    public boolean exitedAfterDisconnect() {
        return runtime.state() == WorkerState.DISCONNECTING;
    }
}
