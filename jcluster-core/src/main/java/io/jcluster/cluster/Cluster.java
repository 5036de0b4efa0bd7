package io.jcluster.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.primary.Primary;
import io.jcluster.worker.WorkerRuntime;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Node's {@code cluster} module for the JVM. The same program runs as the primary and in every worker:
 *
 * <pre>{@code
 * if (Cluster.isPrimary()) {
 *     System.out.println("Primary process " + ProcessHandle.current().pid() + " is running");
 *     for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) Cluster.fork();
 *     Cluster.onExit((worker, status) -> System.out.println("Worker " + worker.pid() + " died"));
 * } else {
 *     App app = App.create();
 *     app.get("/", (req, res) -> res.json(Map.of("message", "Hello from worker " + ProcessHandle.current().pid())));
 *     app.listen(8000, () -> System.out.println("Worker " + ProcessHandle.current().pid() + " started"));
 * }
 * }</pre>
 *
 * In a worker, {@link NetServer#listen} (and so the HTTP layer's {@code listen}) shares the primary's port.
 * Listeners run on the primary's supervisor thread, one at a time, never on a network event loop.
 */
public final class Cluster {
    private static volatile Primary primary;

    static {
        if (WorkerRuntime.inWorker()) {
            WorkerRuntime.current(); // connect at once, as a Node worker does: the primary sees it online
        }
    }

    private Cluster() {
    }

    /** True in the process that forks workers (any process not started as a worker). */
    public static boolean isPrimary() {
        return !WorkerRuntime.inWorker();
    }

    public static boolean isWorker() {
        return WorkerRuntime.inWorker();
    }

    /** Inside a worker, the current worker; null in the primary. */
    public static Worker worker() {
        WorkerRuntime r = WorkerRuntime.current();
        return r == null ? null : r.worker();
    }

    /** The live workers by id (primary only; empty in a worker). */
    public static Map<Integer, Worker> workers() {
        return isPrimary() ? primary().workers() : Map.of();
    }

    /** Sets how future workers are started; fires 'setup'. */
    /** In the primary: the round-robin hand-off's counters ({@link HandoffStats}); {@link HandoffStats#NONE} in a worker. */
    public static HandoffStats handoffs() {
        return isPrimary() ? primary().handoffs() : HandoffStats.NONE;
    }

    public static void setupPrimary(ClusterSettings settings) {
        primary().setup(settings);
    }

    /** A copy of the settings in force. */
    public static ClusterSettings settings() {
        return primary().settings();
    }

    public static SchedulingPolicy schedulingPolicy() {
        return isPrimary() ? primary().policy() : SchedulingPolicy.fromEnv(SchedulingPolicy.RR);
    }

    /** Starts a worker running the configured main; returns once its process exists. */
    public static Worker fork() {
        return fork(Map.of());
    }

    /** Starts a worker with extra environment variables (kept by its replacements). */
    public static Worker fork(Map<String, String> env) {
        return fork(env, 1);
    }

    /**
     * Starts a worker in a new slot with extra environment variables and a generation (a label of the caller's
     * for rollouts, see {@link Worker#generation()}); replacements started by the restart policy keep both.
     */
    public static Worker fork(Map<String, String> env, int generation) {
        requirePrimary("fork");
        return primary().fork(env, generation);
    }

    /**
     * Starts a hot spare in a new slot ({@link Worker#isSpare()}): it boots and listens, but gets no connection
     * until it is promoted. When a worker in rotation dies, the oldest listening spare is promoted in its place at
     * once, and the restart policy's replacement of the dead worker comes up as the new spare. Only the RR policy
     * can keep a listening worker out of rotation: under NONE, or for an unmodified server (jcluster's agent), a
     * spare's listen fails with ENOTSUP.
     */
    public static Worker forkSpare(Map<String, String> env, int generation) {
        requirePrimary("forkSpare");
        return primary().fork(env, generation, true);
    }

    /** Disconnects every worker gracefully; completes when all have exited. */
    public static CompletableFuture<Void> disconnect() {
        requirePrimary("disconnect");
        return primary().disconnectAll();
    }

    /**
     * Stops the cluster as SIGTERM does: no more restarts, every worker drained, whatever is left after
     * {@code timeout} killed. Completes when every worker has exited.
     */
    public static CompletableFuture<Void> shutdown(Duration timeout) {
        requirePrimary("shutdown");
        return primary().shutdown(timeout);
    }

    public static void onFork(Consumer<Worker> listener) {
        primary().events.fork.add(listener);
    }

    public static void onOnline(Consumer<Worker> listener) {
        primary().events.online.add(listener);
    }

    public static void onListening(BiConsumer<Worker, InetSocketAddress> listener) {
        primary().events.listening.add(listener);
    }

    public static void onDisconnect(Consumer<Worker> listener) {
        primary().events.disconnect.add(listener);
    }

    public static void onExit(BiConsumer<Worker, ExitStatus> listener) {
        primary().events.exit.add(listener);
    }

    public static void onMessage(BiConsumer<Worker, JsonNode> listener) {
        primary().events.message.add(listener);
    }

    /**
     * Answers requests ({@link Worker#request}): in the primary, those of every worker that has no handler of
     * its own ({@code worker.onRequest}); inside a worker, the primary's (the worker is {@link #worker()}). The
     * handler's return value is the reply (a {@code CompletionStage} of one replies when it completes). One
     * handler: a second throws {@link IllegalStateException}. Runs where the message listeners run.
     */
    public static void onRequest(BiFunction<Worker, JsonNode, Object> handler) {
        java.util.Objects.requireNonNull(handler, "handler");
        if (isPrimary()) {
            primary().messaging.handler(handler);
        } else {
            Worker self = worker();
            self.onRequest(m -> handler.apply(self, m));
        }
    }

    /**
     * Inside a worker: asks the primary ({@link Worker#request(Object)}); the future gets its handler's reply.
     * In the primary, ask a worker instead ({@code worker.request}): this throws there.
     */
    public static CompletableFuture<JsonNode> request(Object message) {
        return request(message, Worker.DEFAULT_REQUEST_TIMEOUT);
    }

    /** As {@link #request(Object)}, failing with {@link RequestException.Reason#TIMEOUT} after {@code timeout}. */
    public static CompletableFuture<JsonNode> request(Object message, Duration timeout) {
        if (isPrimary()) {
            throw new IllegalStateException("request() without a worker is for a worker; the primary calls worker.request()");
        }
        return worker().request(message, timeout);
    }

    /**
     * Sends a message to every worker: from the primary, to each connected worker (returns how many); from a
     * worker, through the primary to every other worker (returns 1 when handed to the primary, 0 when its link is
     * down or its send budget spent). Workers get it as any message ({@code onMessage}); the primary's message
     * listeners do not see a worker's broadcast. A worker whose link has more than 64 MiB waiting misses it (logged).
     * A message that cannot be written as JSON, or is larger than 8 MiB, throws here.
     */
    public static int broadcast(Object message) {
        if (isPrimary()) {
            return primary().messaging.broadcast(message);
        }
        return WorkerRuntime.current().broadcast(message) ? 1 : 0;
    }

    /**
     * A worker's event loop has not answered heartbeats for the configured timeout (a blocked loop, a long GC,
     * a hung JVM). Reported once per episode; what to do (dump threads, kill) is the listener's choice.
     */
    public static void onUnresponsive(BiConsumer<Worker, Duration> listener) {
        primary().events.unresponsive.add(listener);
    }

    /**
     * A worker's listen failed (port in use, permission denied, bad address): the same error its
     * {@code listen} future gets, seen from the primary — a restart would not fix it.
     */
    public static void onListenError(BiConsumer<Worker, ListenException> listener) {
        primary().events.listenError.add(listener);
    }

    /**
     * The restart policy gave up on a worker slot (a crash loop): the slot's last worker and why. Then, when no
     * worker is left, the primary stops and exits with status 1.
     */
    public static void onGiveUp(BiConsumer<Worker, String> listener) {
        primary().events.giveUp.add(listener);
    }

    /**
     * A worker exited before it served: no main class, its main threw, its listen failed, or it simply exited
     * (see {@link BootFailure}). Not reported for a worker stopped on purpose.
     */
    public static void onBootFailure(BiConsumer<Worker, BootFailure> listener) {
        primary().events.bootFailure.add(listener);
    }

    public static void onSetup(Consumer<ClusterSettings> listener) {
        primary().events.setup.add(listener);
    }

    private static void requirePrimary(String what) {
        if (!isPrimary()) {
            throw new IllegalStateException(what + "() is for the primary; this is worker " + worker().id());
        }
    }

    private static Primary primary() {
        Primary p = primary;
        if (p == null) {
            synchronized (Cluster.class) {
                if (primary == null) {
                    primary = new Primary();
                }
                p = primary;
            }
        }
        return p;
    }
}
