package io.jcluster.supervise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.Worker;
import io.jcluster.control.ControlException;
import io.jcluster.logs.LogSink;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The command line's primary: a coordinator over the core. The core supervises — it forks, restarts a worker that
 * died by itself into the same slot (or gives the slot up), retires a worker (drain, then SIGKILL), reports boot
 * failures and hung event loops; this class decides what the operator asked for, with the core's calls.
 *
 * <p>Its parts, one file each: the {@link Fleet} (the workers as the operations see them, updated by the core's
 * events on the core's supervisor thread); the operations {@link Boot}, {@link Reload}, {@link Restart},
 * {@link Scale}, {@link Send}, {@link Stop}, which run one at a time on the operations thread and wait on the core's
 * futures with deadlines ({@link Readiness}); the {@link RecyclePolicy recycling policies} ({@link MemoryLimit},
 * {@link MaxRequests}, {@link HangTimeout}), asked once a second on the policy thread, whose verdicts
 * {@link Recycle} carries out as an operation; and the {@link StatusReport}.
 */
public final class Supervisor {
    /** How long a killed worker may take to be gone. */
    static final Duration KILL_GRACE = Duration.ofSeconds(10);
    static final Duration TICK = Duration.ofSeconds(1);

    private final FleetSpec spec;
    private final LogSink log;
    private final Capacity capacity;
    private final Fleet fleet;
    private final Readiness readiness;
    private final StatusReport status;
    private final ExecutorService ops = Executors.newSingleThreadExecutor(r -> daemon(r, "jcluster-cli-operations"));
    private final ScheduledExecutorService policyThread =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "jcluster-cli-policies"));
    private final MemoryLimit memory;
    private final MaxRequests requests;
    private final HangTimeout hang;
    private final List<RecyclePolicy> policies;
    private final Recycle recycle;
    private final Boot boot;
    private final Stop stop;
    private final ReloadResults reloads = new ReloadResults();
    private volatile Supplier<Consumer<Boolean>> aroundReplace = () -> ok -> { };
    private final ClusterEvents events = new ClusterEvents();
    /** The operation in progress ("reloading", …), for status; null when none. */
    private volatile String operation;
    /** {@code --instances MIN..MAX}: sizes the cluster by load (policy thread); null for a fixed size. */
    private final AdaptiveSize adaptive;
    /** The last adaptive decision, for status; null before the first. */
    private volatile ObjectNode lastAdaptive;

    public Supervisor(String name, FleetSpec spec, String app, LogSink log) {
        this(name, spec, app, log, Capacity.probe());
    }

    Supervisor(String name, FleetSpec spec, String app, LogSink log, Capacity capacity) {
        this.spec = spec;
        this.log = log;
        this.capacity = capacity;
        this.memory = new MemoryLimit(spec.maxMemory());
        this.requests = new MaxRequests(spec.maxRequests(), spec.maxRequestsJitter());
        this.hang = new HangTimeout(spec.hangTimeout(), log);
        this.policies = List.of(memory, requests, hang);
        this.fleet = new Fleet(name, log, spec.autorestart(), requests::newLimit, events);
        this.readiness = new Readiness(fleet, spec.readyTimeout());
        this.status = new StatusReport(name, app, log.dir(), spec);
        this.recycle = new Recycle(fleet, spec, readiness, log, policyThread);
        this.boot = new Boot(fleet, spec);
        this.stop = new Stop(fleet, log, ops::shutdownNow);
        this.adaptive = spec.adaptive() ? new AdaptiveSize(spec.minInstances(), spec.maxInstances(),
                AdaptiveSize.Settings.fromSystemProperties()) : null;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Configures the core with {@code settings} (its signal handling off: see launch) and follows its events. */
    public void install(ClusterSettings settings) {
        Cluster.setupPrimary(settings);
        Cluster.onFork(fleet::forked);
        Cluster.onOnline(w -> events.publish(ClusterEvents.event("online", w)));
        Cluster.onListening(fleet::listening);
        Cluster.onExit(fleet::exited);
        Cluster.onListenError((w, e) -> boot.failed(BootProblem.of(e)));
        Cluster.onBootFailure((w, f) -> boot.failed(BootProblem.of(w, f, log.mergedFile(), log.workersOnConsole())));
        // The core gave up on a slot (a crash loop): said in the command's own words; when no worker is left the
        // core stops the cluster and the primary exits with status 1.
        Cluster.onGiveUp((w, why) -> events.publish(ClusterEvents.event("giveup", w).put("reason", why)));
        Cluster.onGiveUp((w, why) -> log.warn("gave up on worker slot " + w.slot() + " (" + why + "); the other"
                + " workers keep serving, and with none left the cluster stops with exit status 1"));
        Cluster.onUnresponsive((w, silent) -> {
            Member m = fleet.member(w.id());
            if (m == null || !m.inService()) {
                return;
            }
            if (hang.unresponsive(m, silent)) {
                policyThread.execute(() -> consider(m, hang));
            } else {
                events.publish(ClusterEvents.event("hang", w).put("reason", "its event loop did not answer heartbeats for "
                        + silent.toSeconds() + " s (hang-timeout is off: left alone)").putNull("dumpFile"));
            }
        });
        policyThread.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    public CompletableFuture<Integer> terminated() {
        return stop.terminated();
    }

    public boolean stopping() {
        return fleet.stopping();
    }

    /** The cluster's events (fork, exit, reload progress, …), for the admin endpoint's stream. */
    public ClusterEvents events() {
        return events;
    }

    /** How many workers in service listen now (readiness and health). */
    public int listening() {
        int n = 0;
        for (Member m : fleet.inService()) {
            if (m.worker.state() == io.jcluster.cluster.WorkerState.LISTENING) {
                n++;
            }
        }
        return n;
    }

    // ---- operations (each on the operations thread, one at a time) ----

    /** Starts the wanted workers and waits until each listens, one fails, or the ready timeout passes. */
    public BootResult boot() throws Exception {
        return submit(boot::run).get();
    }

    /**
     * The launch's own step around a reload or a restart, on the operations thread: {@code step} runs before the
     * first new worker starts, and what it returns runs at the end, told whether the operation succeeded.
     */
    public void aroundReplace(Supplier<Consumer<Boolean>> step) {
        this.aroundReplace = step;
    }

    /** {@code op} inside {@link #aroundReplace}'s step. */
    private JsonNode replacing(Callable<JsonNode> op) throws Exception {
        Consumer<Boolean> after = aroundReplace.get();
        boolean ok = false;
        try {
            JsonNode r = op.call();
            ok = true;
            return r;
        } finally {
            after.accept(ok);
        }
    }

    /** Reload, {@code parallel} replacements starting at a time, rolled back if one fails ({@link Reload}). */
    public JsonNode reload(int parallel, Consumer<JsonNode> progress) throws Exception {
        boolean ok = false;
        try {
            JsonNode r = run("reloading", "reload", () -> replacing(() -> new Reload(fleet, spec, readiness, log)
                    .run(parallel, announced("reload", progress))));
            ok = true;
            return r;
        } finally {
            reloads.ended(ok);
        }
    }

    /** Reloads since the primary started, by result: {@code success}, {@code failure} (stopped or refused). */
    public Map<String, Long> reloadResults() {
        return reloads.counts();
    }

    /** Every worker the coordinator knows now, oldest first: what {@code status} and the metrics show. */
    public List<WorkerView> workers() {
        return fleet.all().stream().map(WorkerView::of).toList();
    }

    /** Every worker replaced at once, not gracefully ({@link Restart}). */
    public JsonNode restart() throws Exception {
        return run("restarting", "restart", () -> replacing(() -> new Restart(fleet, readiness, log).run()));
    }

    /** Scales to {@code N}, {@code +K} or {@code -K} workers within the machine's capacity (a signal's scale). */
    public JsonNode scale(String how) throws Exception {
        return scale(how, false, p -> { }, new CompletableFuture<>());
    }

    /** Scales ({@link Scale}); {@code cancel} completing (the client went away) ends a scale up early. */
    public JsonNode scale(String how, boolean force, Consumer<JsonNode> progress, CompletableFuture<Void> cancel)
            throws Exception {
        return run("scaling", "scale", () -> new Scale(fleet, spec, readiness, capacity, log)
                .run(how, force, announced("scale", progress), cancel));
    }

    /** Sends {@code message} to every worker, or to worker {@code id} only (id &lt; 0: all). */
    public JsonNode send(JsonNode message, int id) {
        return new Send(fleet).run(message, id);
    }

    /** Stops the cluster ({@link Stop}); completes when every worker has exited. */
    /**
     * After a failed boot: no worker is restarted any more, and each gets up to {@code grace} to end by itself, so
     * that the application's own error path (Spring Boot's "port already in use" report, say) runs to its end
     * before the stop kills what is left. True when every worker ended.
     */
    public boolean letWorkersEnd(Duration grace) throws InterruptedException {
        Cluster.workers().values().forEach(Worker::cancelRestarts);
        long deadline = System.nanoTime() + grace.toNanos();
        for (Worker w : List.copyOf(Cluster.workers().values())) {
            try {
                w.exited().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return false; // the stop that follows kills it
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a worker's exit failed", e);
            }
        }
        return true;
    }

    public CompletableFuture<Integer> stop(Duration deadline, boolean fast, String why) {
        return stop.run(deadline, fast, why);
    }

    /** The cluster and each worker: what {@code jcluster status} shows. */
    public JsonNode status() {
        String op = operation;
        ObjectNode s = status.of(fleet, fleet.stopping() ? "stopping" : op != null ? op : "running");
        s.put("spares", spec.spares());
        if (adaptive != null) {
            s.put("instances", adaptive.min() + ".." + adaptive.max());
            ObjectNode last = lastAdaptive;
            if (last != null) {
                s.set("adaptive", last);
            } else {
                s.putNull("adaptive");
            }
        }
        return s;
    }

    /** Runs an operation; its outcome is an event of type {@code type} (reload, scale, restart) in its own words. */
    private JsonNode run(String what, String type, Callable<JsonNode> op) throws Exception {
        return submit(() -> {
            operation = what;
            try {
                JsonNode r = op.call();
                String done = r.path("servingList").asText("");
                events.message(type, type + " done" + (done.isEmpty() ? "" : "; now serving: " + done));
                return r;
            } catch (Exception e) {
                events.message(type, type + " failed: " + e.getMessage());
                throw e;
            } finally {
                operation = null;
            }
        }).get();
    }

    /** An operation's progress to its caller and, as events of type {@code type}, to the admin endpoint's stream. */
    private Progress announced(String type, Consumer<JsonNode> progress) {
        return p -> {
            progress.accept(p);
            ObjectNode e = ClusterEvents.event(type);
            e.put("message", p.path("message").asText(""));
            e.put("phase", p.path("phase").asText(""));
            e.put("done", p.path("done").asInt());
            e.put("total", p.path("total").asInt());
            events.publish(e);
        };
    }

    private <T> java.util.concurrent.Future<T> submit(Callable<T> op) {
        if (fleet.stopping()) {
            throw new ControlException(fleet.name() + " is stopping");
        }
        try {
            return ops.submit(op);
        } catch (RejectedExecutionException e) {
            throw new ControlException(fleet.name() + " is stopping");
        }
    }

    // ---- policies (policy thread) ----

    /** Samples every worker's RSS and CPU, then asks each policy about each worker in service. */
    private void tick() {
        Set<Integer> live = new HashSet<>();
        for (Member m : fleet.all()) {
            live.add(m.id);
            ProcStats.Sample s = ProcStats.sample(m.pid);
            m.cpu = s.cpuPercentSince(m.sample);
            m.sample = s;
            m.latency.sample(m.worker.stats().requestDurations());
            if (m.inService() && !fleet.stopping()) {
                for (RecyclePolicy p : policies) {
                    consider(m, p);
                }
            }
        }
        memory.retain(live);
        hang.retain(live);
        recycle.retain(live);
        if (operation == null && !fleet.stopping()) {
            try {
                HotSpares.topUp(fleet, spec.spares(), spec.autorestart());
            } catch (RuntimeException e) {
                log.warn("could not start a hot spare: " + e.getMessage());
            }
        }
        adapt();
    }

    /** Adaptive size: one sample of the workers in rotation; a decision is logged, published and run as a scale. */
    private void adapt() {
        if (adaptive == null || fleet.stopping() || !fleet.everListened()) {
            return;
        }
        if (operation != null) {
            adaptive.restart(); // the workers change under an operation: its samples are no load's
            return;
        }
        List<Member> rotation = fleet.inService(m -> !m.spare() && m.listened.isDone());
        double cpu = 0;
        int known = 0;
        List<Duration> lags = new java.util.ArrayList<>();
        for (Member m : rotation) {
            if (m.cpu >= 0) {
                cpu += m.cpu;
                known++;
            }
            Duration lag = m.worker.stats().heartbeatLatency();
            if (lag != null) {
                lags.add(lag);
            }
        }
        lags.sort(null);
        AdaptiveSize.Decision d = adaptive.sample(System.nanoTime(), fleet.inService().size(),
                known == 0 ? -1 : cpu / known, lags.isEmpty() ? null : lags.get(lags.size() / 2));
        if (d == null) {
            return;
        }
        String range = adaptive.min() + ".." + adaptive.max();
        log.event("adaptive: " + d.action() + " a worker (" + d.from() + " -> " + d.to() + ", range " + range + "): "
                + d.reason());
        ObjectNode e = ClusterEvents.event("adaptive");
        e.put("action", d.action()).put("from", d.from()).put("to", d.to()).put("range", range).put("reason", d.reason());
        e.put("message", "adaptive: " + d.action() + " a worker (" + d.from() + " -> " + d.to() + "): " + d.reason());
        events.publish(e);
        lastAdaptive = e.deepCopy();
        try {
            ops.execute(() -> {
                operation = "scaling";
                try {
                    new Scale(fleet, spec, readiness, capacity, log).run(Integer.toString(d.to()), false, p -> { },
                            new CompletableFuture<>());
                    log.event("adaptive: " + fleet.inService().size() + " worker(s) in rotation now");
                } catch (Exception x) {
                    if (!fleet.stopping()) {
                        log.warn("adaptive: could not " + d.action() + " a worker: " + x.getMessage());
                    }
                } finally {
                    operation = null;
                }
            });
        } catch (RejectedExecutionException x) {
            // stopping
        }
    }

    private void consider(Member m, RecyclePolicy policy) {
        String why = policy.recycleBecause(m);
        if (why == null || !recycle.claim(m)) {
            return;
        }
        try {
            ops.execute(() -> {
                operation = "recycling";
                try {
                    recycle.run(m, why, policy.leave());
                } catch (Exception e) {
                    if (!fleet.stopping()) {
                        log.warn("recycling " + m.label() + " failed: " + e.getMessage());
                    }
                } finally {
                    operation = null;
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping: nothing more is recycled
        }
    }
}
