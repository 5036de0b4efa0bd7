package io.jcluster.primary;

import io.jcluster.cluster.HandoffStats;
import io.jcluster.cluster.BootFailure;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.cluster.Worker;
import io.jcluster.cluster.WorkerState;
import io.jcluster.ipc.Message;
import io.jcluster.internal.Exit;
import io.jcluster.internal.WorkerBase;
import io.jcluster.ipc.Message.Disconnect;
import io.jcluster.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: the primary. One supervisor thread owns the workers' lifecycle state and runs every listener;
 * process exits, IPC events and signals only enqueue to it. One I/O loop owns the data plane
 * ({@link Dispatcher}). Spawning a JVM happens on the supervisor thread, never on the I/O loop.
 */
public final class Primary {
    private static final Logger log = LoggerFactory.getLogger(Primary.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The cluster-wide listeners ({@code Cluster.onFork} …). */
    public final Events events = new Events();

    private final SupervisorThread thread = new SupervisorThread();
    private final ScheduledExecutorService supervisor = thread.executor();
    private final KeepAlive keepAlive = new KeepAlive();
    private final Map<Integer, WorkerHandle> workers = new ConcurrentHashMap<>();
    /** Request/reply and broadcast ({@code Cluster.request}, {@code onRequest}, {@code broadcast}). */
    public final Messaging messaging = new Messaging(supervisor, workers.values());
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile ClusterSettings settings = new ClusterSettings();
    /** The started primary of this process, for a hand-over of its sockets ({@link Handover}). */
    static volatile Primary current;

    // Set once by start(), on the supervisor thread.
    private volatile boolean started;
    private SchedulingPolicy policy;
    private EventLoopGroup io;
    private volatile Dispatcher dispatcher;
    private IpcDirectory ipcDir;
    private Spawner spawner;

    // Supervisor thread only.
    private int lastId;
    private int lastSlot;
    private volatile boolean stopping;
    private int exitStatus;
    private Heartbeats heartbeats;
    /** Supervisor thread only: 'setup' events waiting to fire after their call returned. */
    private final ArrayDeque<ClusterSettings> pendingSetups = new ArrayDeque<>();
    static final long SETUP_EVENT_DELAY_MS = 50;
    private final Restarts restarts;
    /** The hot spares, and their promotion ({@link Spares}). */
    final Spares spares = new Spares(() -> stopping, w -> dispatcher.promoteOnLoop(w));
    /** What the workers' links say, made into lifecycle events (called by {@link Links}). */
    final LinkEvents links;
    /** Each worker's death seen as its threads exit, before its links end ({@link AliveWatch}). */
    private final AliveWatch alive = new AliveWatch(this::died);

    public Primary() {
        links = new LinkEvents(supervisor, events, this::linked);
        restarts = new Restarts(supervisor, keepAlive, events,
                new Restarts.Cluster(() -> stopping, this::spawn, workers::isEmpty, this::cannotRun));
    }

    // ---- public operations (any thread) ----

    /**
     * As Node's {@code setupPrimary}: what {@code s} sets is merged into the settings in force; the rest stays.
     * The 'setup' event fires after this call returns, as Node's does on the next tick: Java has no next tick,
     * so it fires before the next {@code fork()} and at the latest {@value #SETUP_EVENT_DELAY_MS} ms later, on
     * the supervisor thread. A listener added right after the call (Node's own tests do so) still sees it.
     */
    public void setup(ClusterSettings s) {
        thread.call(() -> {
            ClusterSettings next = settings.merge(s);
            if (started && next.policy() != policy) {
                throw new IllegalStateException("the scheduling policy is fixed once the first worker is forked");
            }
            if (started && next.balance() != dispatcher.balance) {
                throw new IllegalStateException("the balance is fixed once the first worker is forked");
            }
            settings = next;
            spawner = started ? new Spawner(settings, policy) : null;
            pendingSetups.add(Spawner.withDefaults(next));
            supervisor.schedule(this::fireSetups, SETUP_EVENT_DELAY_MS, TimeUnit.MILLISECONDS);
            return null;
        });
    }

    /** Supervisor thread: the 'setup' events not fired yet, in order. */
    private void fireSetups() {
        for (ClusterSettings s; (s = pendingSetups.poll()) != null; ) {
            ClusterSettings fired = s;
            events.setup.fire(l -> l.accept(fired.copy()));
        }
    }

    /** The settings in force, with Node's defaults filled in: the primary's own main, arguments and classpath. */
    public ClusterSettings settings() {
        return Spawner.withDefaults(settings);
    }

    /** The supervisor thread, where every listener runs and requests complete. */
    java.util.concurrent.Executor listenerThread() {
        return supervisor;
    }

    /** Runs a send callback on the supervisor thread, where every listener runs. */
    void callback(Consumer<Throwable> done, Throwable error) {
        WorkerBase.callback(supervisor, done, error);
    }

    public SchedulingPolicy policy() {
        return started ? policy : settings.policy();
    }

    /** How connections are balanced under RR (fixed once started). */
    public io.jcluster.cluster.Balance balance() {
        Dispatcher d = dispatcher;
        return d != null ? d.balance : settings.balance();
    }

    public Worker fork(Map<String, String> env, int generation) {
        return fork(env, generation, false);
    }

    /** {@code spare}: a hot spare, out of rotation until promoted ({@link Spares}). */
    public Worker fork(Map<String, String> env, int generation, boolean spare) {
        return thread.call(() -> {
            fireSetups();
            return spawn(new Slot(++lastSlot, generation, env, new RestartTracker(settings.restart()), spare));
        });
    }


    public Map<Integer, Worker> workers() {
        return Collections.unmodifiableMap(workers);
    }

    /** Disconnects every worker; {@code done} runs when all have exited. */
    public CompletableFuture<Void> disconnectAll() {
        return thread.call(() -> {
            List<CompletableFuture<Void>> exits = new ArrayList<>();
            for (WorkerHandle w : workers.values()) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                w.onExit(s -> f.complete(null));
                exits.add(f);
                disconnect0(w);
            }
            return CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new));
        });
    }

    /**
     * Stops the cluster: no restarts, every worker disconnected (in-flight requests finish), whatever is left
     * after {@code timeout} killed. Completes when every worker has exited.
     */
    public CompletableFuture<Void> shutdown(Duration timeout) {
        supervisor.execute(() -> {
            if (stopping) {
                return;
            }
            stopping = true;
            if (!started || workers.isEmpty()) {
                finishStop();
                return;
            }
            log.info("stopping {} worker(s); deadline {} ms", workers.size(), timeout.toMillis());
            Runnable retireAll = () -> supervisor.execute(() -> workers.values().forEach(w -> retire0(w, timeout)));
            if (timeout.isZero() || timeout.isNegative()) {
                retireAll.run();
            } else { // the connections the kernel queued go to the workers before they stop
                io.execute(() -> dispatcher.serveAcceptQueuesThenClose(this::inFlight,
                        Math.min(HAND_OFF_MAX_MS, timeout.toMillis()), retireAll));
            }
        });
        return stopped;
    }

    /** How long a stop waits for the connections taken off the accept queues to reach the workers. */
    static final long HAND_OFF_MAX_MS = 5000;

    /**
     * The one graceful way out of service (shutdown, and every operation of the command line): no restart, no
     * new connections, a disconnect, and SIGKILL at the deadline. Completes with the exit.
     */
    CompletableFuture<ExitStatus> retire(WorkerHandle w, Duration drain) {
        supervisor.execute(() -> retire0(w, drain));
        return w.exited;
    }

    private void retire0(WorkerHandle w, Duration drain) {
        if (w.isDead()) {
            return;
        }
        if (drain.isZero() || drain.isNegative()) {
            kill0(w, "SIGKILL");
            return;
        }
        w.markKilled(); // no restart, even if the disconnect below cannot be sent
        disconnect0(w);
        supervisor.schedule(() -> {
            if (!w.isDead()) {
                log.warn("worker {} (pid {}) did not stop within {} ms; killing it", w.id(), w.pid(), drain.toMillis());
                w.process().destroyForcibly();
            }
        }, drain.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The restart policy gives up on the worker's slot: no restart of it from now on. */
    void cancelRestarts(WorkerHandle w) {
        supervisor.execute(() -> w.slot.cancelled = true);
    }

    void disconnect(WorkerHandle w) {
        supervisor.execute(() -> disconnect0(w));
    }

    void kill(WorkerHandle w, String signal) {
        ExitStatus.signalNumber(signal); // fail on the caller's thread for an unknown signal
        supervisor.execute(() -> kill0(w, signal));
    }

    /** Sends the signal; the worker leaves the rotation and is not restarted. */
    private void kill0(WorkerHandle w, String signal) {
        if (w.isDead()) {
            return;
        }
        w.markKilled();
        io.execute(() -> dispatcher.leave(w, false));
        WorkerHandle.signal(w.process(), signal);
    }

    // ---- supervisor thread ----

    private void start() {
        if (started) {
            return;
        }
        Transport.requireEpoll();
        ListenSockets.get().adoptEnvironment(); // socket activation: LISTEN_FDS
        policy = settings.policy();
        ipcDir = IpcDirectory.create();
        io = Transport.newGroup(1, "jcluster-primary-io", true);
        dispatcher = new Dispatcher(io.next(), policy, settings.balance(), () -> settings.restart().enabled() && !stopping,
                (w, e) -> supervisor.execute(() -> {
                    w.listenError = e;
                    events.listenError.fire(l -> l.accept(w, e));
                }));
        spawner = new Spawner(settings, policy);
        if (settings.handleSignals()) {
            Signals.install(this::onStopSignal);
        }
        long beat = settings.heartbeatInterval().toMillis();
        heartbeats = new Heartbeats(workers.values(), () -> settings.heartbeatTimeout(), events);
        supervisor.scheduleWithFixedDelay(heartbeats::beat, beat, beat, TimeUnit.MILLISECONDS);
        started = true;
        current = this;
    }

    private Worker spawn(Slot slot) {
        if (stopping) {
            throw new IllegalStateException("the cluster is stopping");
        }
        start();
        int id = ++lastId;
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        WorkerHandle w = new WorkerHandle(this, id, slot, HexFormat.of().formatHex(secret));
        Path socket = socketPath(w);
        Channel server = new ServerBootstrap().group(io).channel(EpollServerDomainSocketChannel.class)
                .childHandler(Links.initializer(this, w))
                .bind(new DomainSocketAddress(socket.toFile())).syncUninterruptibly().channel();
        w.ipcServer = server;
        AliveWatch.create(w, socket);
        Process p;
        try {
            p = spawner.start(w, socket, w.token, slot.env);
        } catch (IOException e) {
            server.close();
            IpcDirectory.delete(socket);
            AliveWatch.delete(socket);
            throw new UncheckedIOException("could not start worker " + id + " (" + String.join(" ", spawner.command())
                    + "): " + e.getMessage(), e);
        }
        w.started(p, spawner);
        workers.put(id, w);
        spares.forked(w);
        keepAlive.retain();
        p.onExit().whenComplete((proc, err) -> LinkEvents.afterControlLinkEnds(w, io, () -> supervisor.execute(() -> exited(w))));
        events.fork.fire(l -> l.accept(w));
        return w;
    }

    private void disconnect0(WorkerHandle w) {
        if (!w.state().next().contains(WorkerState.DISCONNECTING)) {
            return;
        }
        w.markDisconnecting();
        w.transition(WorkerState.DISCONNECTING);
        io.execute(() -> {
            dispatcher.leave(w, false);
            Channel c = w.control();
            if (c != null && c.isActive()) {
                c.writeAndFlush(new Disconnect());
            } else {
                w.process().destroy(); // not connected yet: SIGTERM makes it exit
            }
        });
    }

    private void exited(WorkerHandle w) {
        spares.replace(w); // if its fd link's end did not already
        spares.exited(w);
        ExitStatus status = ExitStatus.of(w.process().exitValue());
        w.transition(WorkerState.DEAD);
        w.spawner.exited(w);
        workers.remove(w.id());
        io.execute(() -> {
            Channel server = w.ipcServer;
            if (server != null && server.isOpen()) {
                server.close();
            }
            dispatcher.leave(w, true);
        });
        IpcDirectory.delete(socketPath(w));
        AliveWatch.delete(socketPath(w));
        w.exited.complete(status);
        BootFailure boot = w.bootFailure(status);
        int unsent = w.dropUnsent();
        if (unsent > 0) {
            log.warn("worker {} (pid {}) exited with {} before its link came up: {} message(s) sent to it were not delivered",
                    w.id(), w.pid(), status, unsent);
        }
        links.fireDisconnect(w);
        w.exitListeners.fire(l -> l.accept(status));
        events.exit.fire(l -> l.accept(w, status));
        if (boot != null) {
            if (boot.cause() == BootFailure.Cause.EXITED_BEFORE_LISTENING) {
                log.info("worker {} (pid {}) exited before it listened: {}", w.id(), w.pid(), boot); // a worker may never listen
            } else {
                log.warn("worker {} (pid {}) could not boot: {}", w.id(), w.pid(), boot);
            }
            events.bootFailure.fire(l -> l.accept(w, boot));
        }
        if (!w.stopRequested() && !stopping && settings.restart().enabled()) {
            restarts.afterCrash(w, w.uptimeMillis(), "worker " + w.id() + " (pid " + w.pid() + ") exited with " + status);
        }
        if (stopping && workers.isEmpty()) {
            finishStop(); // before the release below: callbacks on the stop may still need a live JVM
        }
        keepAlive.release();
    }

    /** A slot was given up and no worker is left: stop, then exit with status 1. */
    private void cannotRun() {
        exitStatus = 1;
        keepAlive.retain(); // the JVM must live until the stop below exits it with status 1
        shutdown(settings.shutdownTimeout()).whenComplete((v, e) -> Exit.now(1, 5000));
    }

    private void finishStop() {
        if (io != null) {
            io.execute(dispatcher::closeAll);
        }
        if (ipcDir != null) {
            ipcDir.remove();
        }
        stopped.complete(null);
    }

    private void onStopSignal(String signal) {
        if (stopping) {
            log.warn("second {}: killing the workers now", signal);
            supervisor.execute(() -> workers.values().forEach(w -> w.process().destroyForcibly()));
            Exit.now(1, 2000);
            return;
        }
        log.info("{} received: stopping gracefully", signal);
        shutdown(settings.shutdownTimeout()).whenComplete((v, e) -> Exit.now(exitStatus, 5000));
    }

    // ---- accessors for the I/O loop ----

    /** The round-robin hand-off's counters, from any thread. */
    public HandoffStats handoffs() {
        Dispatcher d = dispatcher;
        return d == null ? HandoffStats.NONE : d.handoffs.snapshot();
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /** I/O loop: true while a worker has connections it has not acknowledged yet. */
    boolean inFlight() {
        for (WorkerHandle w : workers.values()) {
            FdLink link = w.fdLink();
            if (link != null && link.inFlight() > 0) {
                return true;
            }
        }
        return false;
    }

    int window() {
        return settings.window();
    }

    /**
     * Both of {@code w}'s links are up: nobody else may connect to its IPC socket, and its alive lock is watched.
     * Called on the I/O loop.
     */
    private void linked(WorkerHandle w) {
        w.ipcServer.close();
        IpcDirectory.delete(socketPath(w));
        alive.watch(w, socketPath(w));
    }

    /**
     * {@code w} died in rotation, seen by its alive lock or its fd link's end, on that link's loop: a spare takes its
     * place before its connections are handed again, and it leaves every handle.
     */
    void died(WorkerHandle w) {
        spares.replace(w);
        dispatcher.leave(w, true);
    }

    private Path socketPath(WorkerHandle w) {
        return ipcDir.socket(w.id());
    }
}
