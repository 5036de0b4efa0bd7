package io.jcluster.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * One worker process, as Node's {@code Worker}. In the primary it is a handle on a child JVM; inside a worker,
 * {@link Cluster#worker()} is the current worker. Listeners run on one event thread (the supervisor in the
 * primary), never on a network event loop.
 */
public interface Worker {
    /** 1, 2, 3 … in fork order, never reused. */
    int id();

    /** The worker process's pid. */
    long pid();

    WorkerState state();

    /**
     * Sends a message, serialized as JSON. In the primary it goes to this worker; inside a worker, to the
     * primary. As in Node, a message sent before the worker's link is up (right after {@code fork()}) waits for
     * it, in order (at most 1024). False when it cannot be sent: the worker is disconnected or dead, or too many
     * wait, or more than 64 MiB of messages wait to be written to that peer. A message that cannot be written as
     * JSON, or is larger than a link carries (8 MiB), throws here.
     */
    default boolean send(Object message) {
        return send(message, null);
    }

    /**
     * As {@link #send(Object)}, and {@code done} (Node's callback) runs once the message is written, with null,
     * or with the error that kept it from being written (also when this returns false); null for no callback.
     * In the primary it runs on the supervisor thread, in a worker on its event thread.
     */
    boolean send(Object message, java.util.function.Consumer<Throwable> done);

    /** How long a {@link #request} waits for its reply unless told otherwise. */
    java.time.Duration DEFAULT_REQUEST_TIMEOUT = java.time.Duration.ofSeconds(10);

    /**
     * Sends a message that asks for an answer: in the primary to this worker, inside a worker to the primary. The
     * future completes with the value the other side's request handler returned ({@link #onRequest},
     * {@link Cluster#onRequest}), or fails with a {@link RequestException} that says why not: no reply within
     * {@link #DEFAULT_REQUEST_TIMEOUT}, the peer exited, it has no handler, its handler failed, or too many
     * requests or bytes wait for it already. Completes on the thread the listeners run on (the supervisor in the
     * primary, the worker's event thread): never block that thread waiting for it. As {@link #send}, a message
     * that cannot be written as JSON, or is larger than a link carries (8 MiB), throws here.
     */
    default java.util.concurrent.CompletableFuture<JsonNode> request(Object message) {
        return request(message, DEFAULT_REQUEST_TIMEOUT);
    }

    /** As {@link #request(Object)}, failing with {@link RequestException.Reason#TIMEOUT} after {@code timeout}. */
    java.util.concurrent.CompletableFuture<JsonNode> request(Object message, java.time.Duration timeout);

    /**
     * Answers the other side's requests: the handler's return value is the reply (a {@code CompletionStage} of
     * one replies when it completes; null replies JSON null). In the primary it answers this worker's requests
     * (before {@link Cluster#onRequest}); inside a worker, the primary's. One handler: a second throws
     * {@link IllegalStateException}. Runs where the message listeners run. Register it before the worker listens:
     * a request that finds no handler fails at once with {@link RequestException.Reason#NO_HANDLER}.
     */
    Worker onRequest(java.util.function.Function<JsonNode, Object> handler);

    /**
     * Graceful: no new connections; servers close after their in-flight requests; then the worker exits with 0.
     * Connections still open at the drain deadline ({@link ClusterSettings#shutdownTimeout}) are closed.
     */
    void disconnect();

    /**
     * Sends the worker a signal such as {@code SIGTERM} or {@code SIGKILL}, as current Node does: nothing else.
     * {@link #exitedAfterDisconnect()} stays false, and the restart policy does not replace a worker killed
     * this way. A jcluster worker takes SIGTERM as a graceful stop: its servers close, and once their
     * connections end, or at the drain deadline ({@link ClusterSettings#shutdownTimeout}) at the latest, it
     * exits with 143, which reads as death by SIGTERM.
     */
    void kill(String signal);

    default void kill() {
        kill("SIGTERM");
    }

    boolean isDead();

    boolean isConnected();

    /** True when the worker left through {@link #disconnect()} (the primary's or its own), as in Node. */
    boolean exitedAfterDisconnect();

    /** The environment given to {@code fork(env)}; a replacement after a crash keeps it (primary only; empty in a worker). */
    java.util.Map<String, String> forkEnv();

    /**
     * The worker's slot: the place in the cluster it fills (1, 2, 3 … in fork order). A worker the restart
     * policy starts in place of a dead one has the dead one's slot. Inside a worker: {@value #ENV_SLOT}.
     */
    int slot();

    /**
     * The generation given to {@link Cluster#fork(java.util.Map, int)} (1 by default), a label for rollouts: a
     * restart keeps it. Inside a worker: {@value #ENV_GENERATION}.
     */
    int generation();

    /** The environment variable that holds a worker's slot. */
    String ENV_SLOT = "JCLUSTER_SLOT";

    /** The environment variable that holds a worker's generation. */
    String ENV_GENERATION = "JCLUSTER_GENERATION";

    /**
     * Completes when the worker is online (primary only; inside a worker, already complete). Futures complete on
     * the supervisor thread, just before the matching listeners run.
     */
    java.util.concurrent.CompletableFuture<Void> online();

    /** Completes with the address of the worker's first listening server (primary only). */
    java.util.concurrent.CompletableFuture<InetSocketAddress> listening();

    /** Completes with how the worker process ended (primary only; never inside a worker). */
    java.util.concurrent.CompletableFuture<ExitStatus> exited();

    /**
     * Takes the worker out of service: no new connections, it disconnects (servers close, requests in flight
     * finish) and is killed with SIGKILL if it is still alive after {@code drain}; the restart policy does not
     * replace it. Zero kills at once. Completes with its exit. Primary only.
     */
    java.util.concurrent.CompletableFuture<ExitStatus> retire(java.time.Duration drain);

    /**
     * The restart policy replaces neither this worker nor any later one of its slot; a restart of the slot that
     * is already scheduled does not happen. Primary only.
     */
    void cancelRestarts();

    /** Connections and requests as of the last heartbeat (in a worker: now). */
    WorkerStats stats();

    /** The IPC channel is up (primary only). */
    Worker onOnline(Runnable listener);

    /** A server in the worker is listening (primary only). */
    Worker onListening(Consumer<InetSocketAddress> listener);

    /** The IPC channel closed. */
    Worker onDisconnect(Runnable listener);

    /** The process exited (primary only). */
    Worker onExit(Consumer<ExitStatus> listener);

    /** A message arrived from the other side. */
    Worker onMessage(Consumer<JsonNode> listener);

    /**
     * A hot spare: started, online and listening, but out of rotation (the primary hands it no connection) until
     * promoted, by {@link #promote()} or at once when a worker in rotation dies (primary only).
     */
    default boolean isSpare() {
        return false;
    }

    /**
     * Puts a spare into rotation now; false when it is not a spare (any more) or is gone. The cluster's next spare
     * is the caller's to start ({@link Cluster#forkSpare}).
     */
    default boolean promote() {
        return false;
    }
}
