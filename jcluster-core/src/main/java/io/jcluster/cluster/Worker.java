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
     * wait. A message that cannot be written as JSON throws here.
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
}
