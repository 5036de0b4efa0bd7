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
     * primary. False when the IPC channel is closed.
     */
    boolean send(Object message);

    /** Graceful: no new connections; servers close after their in-flight requests; then the worker exits. */
    void disconnect();

    /** Kills the worker with a signal such as {@code SIGTERM} or {@code SIGKILL}. */
    void kill(String signal);

    default void kill() {
        kill("SIGTERM");
    }

    boolean isDead();

    boolean isConnected();

    /** True when the worker exited because of {@link #disconnect()} or {@link #kill}, not by itself. */
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
