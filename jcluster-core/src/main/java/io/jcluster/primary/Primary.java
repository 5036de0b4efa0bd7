package io.jcluster.primary;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.cluster.Worker;
import io.jcluster.cluster.WorkerState;
import io.jcluster.cluster.WorkerStats;
import io.jcluster.ipc.Message;
import io.jcluster.internal.Exit;
import io.jcluster.internal.Listeners;
import io.jcluster.internal.WorkerBase;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message.Disconnect;
import io.jcluster.ipc.Message.Listening;
import io.jcluster.ipc.Message.UserMessage;
import io.jcluster.ipc.Message.Welcome;
import io.jcluster.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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
    private static final String IPC_DIR_PREFIX = "jcluster-";

    public final Listeners<Consumer<Worker>> forkListeners = new Listeners<>("fork");
    public final Listeners<Consumer<Worker>> onlineListeners = new Listeners<>("online");
    public final Listeners<BiConsumer<Worker, InetSocketAddress>> listeningListeners = new Listeners<>("listening");
    public final Listeners<Consumer<Worker>> disconnectListeners = new Listeners<>("disconnect");
    public final Listeners<BiConsumer<Worker, ExitStatus>> exitListeners = new Listeners<>("exit");
    public final Listeners<BiConsumer<Worker, JsonNode>> messageListeners = new Listeners<>("message");
    public final Listeners<Consumer<ClusterSettings>> setupListeners = new Listeners<>("setup");
    public final Listeners<BiConsumer<Worker, Duration>> unresponsiveListeners = new Listeners<>("unresponsive");
    public final Listeners<BiConsumer<Worker, io.jcluster.cluster.ListenException>> listenErrorListeners =
            new Listeners<>("listenError");
    public final Listeners<BiConsumer<Worker, String>> giveUpListeners = new Listeners<>("giveUp");

    private final ScheduledExecutorService supervisor;
    private final KeepAlive keepAlive = new KeepAlive();
    private final Map<Integer, WorkerHandle> workers = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile Thread supervisorThread;
    private volatile ClusterSettings settings = new ClusterSettings();

    // Set once by start(), on the supervisor thread.
    private volatile boolean started;
    private SchedulingPolicy policy;
    private EventLoopGroup io;
    private volatile Dispatcher dispatcher;
    private Path ipcDir;
    private Spawner spawner;

    // Supervisor thread only.
    private int lastId;
    private int lastSlot;
    private int scheduledRestarts;
    private volatile boolean stopping;
    private int exitStatus;
    private long heartbeats;

    public Primary() {
        supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jcluster-supervisor");
            t.setDaemon(true);
            supervisorThread = t;
            return t;
        });
    }

    // ---- public operations (any thread) ----

    /**
     * As Node's {@code setupPrimary}: what {@code s} sets is merged into the settings in force; the rest stays.
     * The 'setup' event fires afterwards, on the supervisor thread, never inside this call.
     */
    public void setup(ClusterSettings s) {
        ClusterSettings merged = call(() -> {
            ClusterSettings next = settings.merge(s);
            if (started && next.policy() != policy) {
                throw new IllegalStateException("the scheduling policy is fixed once the first worker is forked");
            }
            settings = next;
            spawner = started ? new Spawner(settings, policy) : null;
            return next;
        });
        supervisor.execute(() -> setupListeners.fire(l -> l.accept(withDefaults(merged))));
    }

    /** The settings in force, with Node's defaults filled in: the primary's own main, arguments and classpath. */
    public ClusterSettings settings() {
        return withDefaults(settings);
    }

    private static ClusterSettings withDefaults(ClusterSettings s) {
        ClusterSettings c = s.copy();
        Spawner.Self self = Spawner.Self.read();
        if (c.mainClass() == null && c.jar() == null && !self.main().isEmpty()) {
            if (self.main().endsWith(".jar")) {
                c.jar(Path.of(self.main()));
            } else {
                c.mainClass(self.main());
            }
        }
        if (c.args() == null) {
            c.args(self.args());
        }
        if (c.classpath() == null && c.jar() == null) {
            c.classpath(System.getProperty("java.class.path"));
        }
        return c;
    }

    /** Runs a send callback on the supervisor thread, where every listener runs. */
    void callback(Consumer<Throwable> done, Throwable error) {
        WorkerBase.callback(supervisor, done, error);
    }

    public SchedulingPolicy policy() {
        return started ? policy : settings.policy();
    }

    public Worker fork(Map<String, String> env) {
        return call(() -> spawn(new WorkerHandle.Slot(++lastSlot, Map.copyOf(env),
                new RestartTracker(settings.restart()))));
    }

    public Map<Integer, Worker> workers() {
        return Collections.unmodifiableMap(workers);
    }

    /** Disconnects every worker; {@code done} runs when all have exited. */
    public CompletableFuture<Void> disconnectAll() {
        return call(() -> {
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
            for (WorkerHandle w : workers.values()) {
                disconnect0(w);
            }
            supervisor.schedule(() -> {
                for (WorkerHandle w : workers.values()) {
                    log.warn("worker {} (pid {}) did not stop within {} ms; killing it", w.id(), w.pid(), timeout.toMillis());
                    w.process().destroyForcibly();
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        });
        return stopped;
    }

    void disconnect(WorkerHandle w) {
        supervisor.execute(() -> disconnect0(w));
    }

    void kill(WorkerHandle w, String signal) {
        ExitStatus.signalNumber(signal); // fail on the caller's thread for an unknown signal
        supervisor.execute(() -> {
            if (w.isDead()) {
                return;
            }
            w.markKilled();
            io.execute(() -> dispatcher.leave(w, false));
            WorkerHandle.signal(w.process(), signal);
        });
    }

    // ---- supervisor thread ----

    private <T> T call(Callable<T> task) {
        if (Thread.currentThread() == supervisorThread) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return supervisor.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void start() {
        if (started) {
            return;
        }
        Transport.requireEpoll();
        policy = settings.policy();
        try {
            removeStaleIpcDirs();
            ipcDir = Files.createTempDirectory(IPC_DIR_PREFIX + ProcessHandle.current().pid() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the private IPC directory", e);
        }
        io = Transport.newGroup(1, "jcluster-primary-io", true);
        dispatcher = new Dispatcher(io.next(), policy, () -> settings.restart().enabled() && !stopping,
                (w, e) -> supervisor.execute(() -> listenErrorListeners.fire(l -> l.accept(w, e))));
        spawner = new Spawner(settings, policy);
        Runtime.getRuntime().addShutdownHook(new Thread(this::removeIpcDir, "jcluster-cleanup"));
        if (settings.handleSignals()) {
            Signals.install(this::onStopSignal);
        }
        long beat = settings.heartbeatInterval().toMillis();
        supervisor.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        started = true;
    }

    private Worker spawn(WorkerHandle.Slot slot) {
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
        Process p;
        try {
            p = spawner.start(w, socket, w.token, slot.env());
        } catch (IOException e) {
            server.close();
            deleteQuietly(socket);
            throw new UncheckedIOException("could not start worker " + id + " (" + String.join(" ", spawner.command())
                    + "): " + e.getMessage(), e);
        }
        w.started(p, spawner);
        workers.put(id, w);
        keepAlive.retain();
        p.onExit().whenComplete((proc, err) -> supervisor.execute(() -> exited(w)));
        forkListeners.fire(l -> l.accept(w));
        return w;
    }

    /** Both links authenticated (called on the I/O loop): nobody else may connect any more. */
    void linksUp(WorkerHandle w) {
        w.ipcServer.close();
        deleteQuietly(socketPath(w));
        w.control().writeAndFlush(new Welcome(w.id()));
        w.linked();
        supervisor.execute(() -> {
            if (w.state() == WorkerState.SPAWNED) {
                w.transition(WorkerState.ONLINE);
                w.lastHeartbeatNanos = System.nanoTime();
                w.onlineListeners.fire(Runnable::run);
                onlineListeners.fire(l -> l.accept(w));
            }
        });
    }

    void listening(WorkerHandle w, Listening l) {
        InetSocketAddress address = new InetSocketAddress(l.host(), l.port());
        supervisor.execute(() -> {
            if (w.state() == WorkerState.ONLINE) {
                w.transition(WorkerState.LISTENING);
            }
            if (w.state() == WorkerState.LISTENING) {
                w.listeningListeners.fire(c -> c.accept(address));
                listeningListeners.fire(c -> c.accept(w, address));
            }
        });
    }

    void message(WorkerHandle w, UserMessage m) {
        supervisor.execute(() -> {
            JsonNode node;
            try {
                node = Json.read(m.json());
            } catch (IOException e) {
                w.dropForBadInput("malformed JSON message: " + e.getMessage());
                return;
            }
            w.messageListeners.fire(c -> c.accept(node));
            messageListeners.fire(c -> c.accept(w, node));
        });
    }

    void pong(WorkerHandle w, Message.Pong p) {
        supervisor.execute(() -> {
            w.lastHeartbeatNanos = System.nanoTime();
            w.unresponsiveReported = false;
            w.stats(new WorkerStats(p.connections(), p.requests(), Instant.now()));
        });
    }

    /** Pings every connected worker; reports once a worker whose event loop stayed silent past the timeout. */
    private void heartbeat() {
        long now = System.nanoTime();
        long timeout = settings.heartbeatTimeout().toNanos();
        for (WorkerHandle w : workers.values()) {
            WorkerState s = w.state();
            if (s != WorkerState.ONLINE && s != WorkerState.LISTENING) {
                continue;
            }
            Channel c = w.control();
            if (c != null && c.isActive()) {
                c.writeAndFlush(new Message.Ping(++heartbeats));
            }
            long silent = now - w.lastHeartbeatNanos;
            if (silent > timeout && !w.unresponsiveReported) {
                w.unresponsiveReported = true;
                Duration d = Duration.ofNanos(silent);
                log.warn("worker {} (pid {}) has not answered a heartbeat for {} ms", w.id(), w.pid(), d.toMillis());
                unresponsiveListeners.fire(l -> l.accept(w, d));
            }
        }
    }

    void disconnecting(WorkerHandle w) {
        supervisor.execute(() -> {
            w.markDisconnecting();
            if (w.state().next().contains(WorkerState.DISCONNECTING)) {
                w.transition(WorkerState.DISCONNECTING);
            }
        });
    }

    void linkDown(WorkerHandle w) {
        supervisor.execute(() -> fireDisconnect(w));
    }

    private void fireDisconnect(WorkerHandle w) {
        if (w.fireDisconnectOnce()) {
            w.disconnectListeners.fire(Runnable::run);
            disconnectListeners.fire(l -> l.accept(w));
        }
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
        deleteQuietly(socketPath(w));
        int unsent = w.dropUnsent();
        if (unsent > 0) {
            log.warn("worker {} (pid {}) exited with {} before its link came up: {} message(s) sent to it were not delivered",
                    w.id(), w.pid(), status, unsent);
        }
        fireDisconnect(w);
        w.exitListeners.fire(l -> l.accept(status));
        exitListeners.fire(l -> l.accept(w, status));
        if (!w.stopRequested() && !stopping && settings.restart().enabled()) {
            afterCrash(w, w.uptimeMillis(), "worker " + w.id() + " (pid " + w.pid() + ") exited with " + status);
        }
        if (stopping && workers.isEmpty()) {
            finishStop(); // before the release below: callbacks on the stop may still need a live JVM
        }
        keepAlive.release();
    }

    /** {@code last} is the slot's last worker (dead, or the one whose replacement could not start). */
    private void afterCrash(WorkerHandle last, long uptimeMillis, String what) {
        WorkerHandle.Slot slot = last.slot;
        RestartTracker.Decision d = slot.restarts().onCrash(System.currentTimeMillis(), uptimeMillis);
        if (d.restart()) {
            scheduledRestarts++;
            keepAlive.retain();
            if (!d.delay().isZero()) {
                log.info("{}; restarting in {} ms", what, d.delay().toMillis());
            }
            supervisor.schedule(() -> {
                scheduledRestarts--;
                try {
                    if (!stopping) {
                        spawn(slot);
                    }
                } catch (RuntimeException e) {
                    log.error("restart of worker slot {} failed: {}", slot.number(), e.getMessage());
                    afterCrash(last, 0, "worker slot " + slot.number() + " could not start");
                } finally {
                    keepAlive.release();
                }
            }, d.delay().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        log.error("{}; not restarting worker slot {}: {}", what, slot.number(), d.reason());
        giveUpListeners.fire(l -> l.accept(last, what + "; " + d.reason()));
        if (workers.isEmpty() && scheduledRestarts == 0 && !stopping) {
            log.error("no worker can run; the primary exits with status 1");
            exitStatus = 1;
            keepAlive.retain(); // the JVM must live until the stop below exits it with status 1
            shutdown(settings.shutdownTimeout()).whenComplete((v, e) -> Exit.now(1, 5000));
        }
    }

    private void finishStop() {
        if (io != null) {
            io.execute(dispatcher::closeAll);
        }
        removeIpcDir();
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

    Dispatcher dispatcher() {
        return dispatcher;
    }

    int window() {
        return settings.window();
    }

    private Path socketPath(WorkerHandle w) {
        return ipcDir.resolve("w" + w.id() + ".sock");
    }

    /**
     * Removes the IPC directories of primaries that died without cleaning up (kill -9): they are named
     * {@code jcluster-<pid>-*}; one whose pid is no longer running, and that we own, is stale.
     */
    private static void removeStaleIpcDirs() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var dirs = Files.newDirectoryStream(tmp, IPC_DIR_PREFIX + "*")) {
            String me = System.getProperty("user.name");
            for (Path d : dirs) {
                String[] parts = d.getFileName().toString().split("-");
                if (parts.length < 3 || !Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).isEmpty() && me.equals(Files.getOwner(d).getName())) {
                    try (var files = Files.list(d)) {
                        files.forEach(Primary::deleteQuietly);
                    }
                    deleteQuietly(d);
                    log.debug("removed the stale IPC directory {}", d);
                }
            }
        } catch (IOException e) {
            log.debug("could not look for stale IPC directories: {}", e.toString());
        }
    }

    private void removeIpcDir() {
        Path dir = ipcDir;
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            files.forEach(Primary::deleteQuietly);
        } catch (IOException e) {
            log.debug("could not list {}: {}", dir, e.toString());
        }
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.debug("could not delete {}: {}", p, e.toString());
        }
    }
}
