package io.jcluster.supervise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.Worker;
import io.jcluster.cluster.WorkerStats;
import io.jcluster.contract.ExitCode;
import io.jcluster.contract.Units;
import io.jcluster.control.ControlException;
import io.jcluster.launch.Application;
import io.jcluster.launch.StartSpec;
import io.jcluster.logs.LogSink;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line's primary: it runs the application in workers and keeps them as wanted.
 *
 * <p>One loop thread owns the state (the live {@link Member}s by id, their slots and generations, the wanted
 * count); the core's events (fork, online, listening, exit, unresponsive) and a one-second tick only enqueue
 * to it. Operations that take time (boot, reload, restart, scale, recycling a worker) run one at a time on
 * an operations thread, which waits on the members' futures with deadlines and changes state through the loop.
 *
 * <p>Crashes are the core's job: its {@link io.jcluster.cluster.RestartPolicy} restarts a worker that exited by
 * itself into the same slot, with back-off, and gives up on a crash loop. Each worker carries its slot and
 * generation in its environment ({@value #ENV_SLOT}, {@value #ENV_GENERATION}), so a restarted one is
 * recognised. Every policy here spawns the replacement first, waits until it is ready, and only then takes
 * the old worker out of rotation and drains it (a hung one is dumped and killed instead).
 */
public final class Supervisor {
    public static final String ENV_SLOT = "JCLUSTER_SLOT";
    public static final String ENV_GENERATION = "JCLUSTER_GENERATION";
    /** RSS over the limit this many ticks in a row recycles a worker. */
    static final int MEMORY_STRIKES = 3;
    static final Duration TICK = Duration.ofSeconds(1);
    /** How long a killed worker may take to be gone. */
    static final Duration KILL_GRACE = Duration.ofSeconds(10);
    private static final Pattern LISTEN_ERROR = Pattern.compile("listen (EADDRINUSE|EACCES|EADDRNOTAVAIL) (\\S+):(\\d+)");
    private static final Pattern NO_MAIN = Pattern.compile("jcluster worker: no main class (\\S+)");

    private final String name;
    private final StartSpec spec;
    private final Application app;
    private final LogSink log;
    private final Instant started = Instant.now();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "jcluster-cli-loop"));
    private final ExecutorService ops = Executors.newSingleThreadExecutor(r -> daemon(r, "jcluster-cli-operations"));
    private final CompletableFuture<Integer> terminated = new CompletableFuture<>();
    /** Completes when a stop begins: operations in progress end early. */
    private final CompletableFuture<Object> stopRequested = new CompletableFuture<>();
    private final Capacity capacity;

    // Loop thread only.
    private final Map<Integer, Member> members = new TreeMap<>();
    private final Map<Integer, Member> known = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Member> eldest) {
            return size() > 256;
        }
    };
    private final Map<Integer, Slot> slots = new HashMap<>();
    private final Set<Integer> recycling = new HashSet<>();
    private final Set<String> addresses = new LinkedHashSet<>();
    private int lastSlot;
    private int generation = 1;
    private int target;
    private volatile String operation;

    private volatile boolean everListened;
    private volatile boolean stopping;
    private volatile boolean booted;
    private volatile BootProblem bootProblem;

    /** A slot: one wanted worker place; a crashed worker's restart takes the same slot. */
    private static final class Slot {
        final int number;
        boolean seen;
        int restarts;
        boolean abandoned;

        Slot(int number) {
            this.number = number;
        }
    }

    /** What made the boot fail, seen in a worker's output. */
    public record BootProblem(ExitCode exit, String message) { }

    public Supervisor(String name, StartSpec spec, Application app, LogSink log) {
        this(name, spec, app, log, Capacity.probe());
    }

    Supervisor(String name, StartSpec spec, Application app, LogSink log, Capacity capacity) {
        this.capacity = capacity;
        this.name = name;
        this.spec = spec;
        this.app = app;
        this.log = log;
        log.watch(this::watchBoot);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ---- setup ----

    /** Configures the core (workers, restart policy, heartbeat, output) and subscribes to its events. */
    public void install() {
        List<String> jvm = new ArrayList<>(ClusterSettings.LEAN_JVM_ARGS);
        jvm.addAll(spec.jvmArgs);
        Duration hang = spec.hangTimeout.isZero() ? Duration.ofDays(365) : spec.hangTimeout;
        Duration interval = hang.compareTo(Duration.ofSeconds(1)) < 0 ? hang : Duration.ofSeconds(1);
        Cluster.setupPrimary(new ClusterSettings()
                .mainClass(Application.WORKER_MAIN)
                .classpath(app.classpath())
                .args(app.args())
                .jvmArgs(jvm)
                .env(spec.env)
                .restart(spec.restartPolicy())
                .shutdownTimeout(spec.drainTimeout)
                .handleSignals(false)
                .heartbeat(interval, hang)
                .output(log));
        Cluster.onFork(w -> {
            Map<String, String> env = ProcStats.environ(w.pid()); // read at once: the process has just exec'd
            loop.execute(() -> forked(w, env));
        });
        Cluster.onOnline(w -> loop.execute(() -> withMember(w, m -> m.online.complete(null))));
        Cluster.onListening((w, a) -> loop.execute(() -> listening(w, a)));
        Cluster.onExit((w, s) -> loop.execute(() -> exited(w, s)));
        Cluster.onUnresponsive((w, d) -> loop.execute(() -> unresponsive(w, d)));
        loop.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    public CompletableFuture<Integer> terminated() {
        return terminated;
    }

    public boolean stopping() {
        return stopping;
    }

    // ---- events (loop thread) ----

    private void forked(Worker w, Map<String, String> env) {
        Member m = new Member(w);
        members.put(m.id, m);
        known.put(m.id, m);
        m.requestLimit = MaxRequests.limit(spec.maxRequests, spec.maxRequestsJitter);
        Integer slot = integer(env.get(ENV_SLOT));
        Integer gen = integer(env.get(ENV_GENERATION));
        if (slot != null) {
            bind(m, slot, gen == null ? generation : gen);
        }
    }

    private void bind(Member m, int slotNumber, int gen) {
        m.slot = slotNumber;
        m.generation = gen;
        Slot s = slots.computeIfAbsent(slotNumber, Slot::new);
        if (s.seen) {
            s.restarts++;
            log.event(m.label() + " restarts worker slot " + slotNumber + " (restart " + s.restarts + ")");
        }
        s.seen = true;
        m.restarts = s.restarts;
        if (s.abandoned) {
            m.retiring = "its slot was abandoned";
            m.worker.kill("SIGKILL");
        }
    }

    private void withMember(Worker w, Consumer<Member> c) {
        Member m = members.get(w.id());
        if (m != null) {
            c.accept(m);
        }
    }

    private void listening(Worker w, InetSocketAddress a) {
        Member m = members.get(w.id());
        if (m == null) {
            return;
        }
        everListened = true;
        String addr = address(a);
        if (addresses.add(addr) || !booted) {
            log.event(m.label() + " listening on " + addr);
        }
        m.online.complete(null);
        m.listening.complete(null);
    }

    private void exited(Worker w, ExitStatus status) {
        Member m = members.remove(w.id());
        log.workerExited(w.id());
        recycling.remove(w.id());
        if (m == null) {
            return;
        }
        if (m.retiring != null) {
            log.event(m.label() + " stopped (" + m.retiring + ")" + (status.code() == 0 ? "" : ": " + status));
        } else if (!w.exitedAfterDisconnect() && !stopping) {
            log.warn(m.label() + " died: " + status + (spec.autorestart
                    ? "; the restart policy replaces it" : "; not restarted (autorestart is off)"));
        } else {
            log.event(m.label() + " exited: " + status);
        }
        m.exit.complete(status);
    }

    private void unresponsive(Worker w, Duration silent) {
        Member m = members.get(w.id());
        if (m == null || !m.inService()) {
            return;
        }
        String why = "its event loop did not answer heartbeats for " + silent.toSeconds() + " s";
        if (spec.hangTimeout.isZero()) {
            log.warn(m.label() + ": " + why + " (hang-timeout is off: left alone)");
            return;
        }
        requestRecycle(m, Recycle.HANG, why);
    }

    /** Samples every worker's RSS and CPU and applies the memory and max-requests policies. */
    private void tick() {
        for (Member m : members.values()) {
            ProcStats.Sample s = ProcStats.sample(m.pid);
            m.cpu = s.cpuPercentSince(m.sample);
            m.sample = s;
            if (!m.inService() || stopping) {
                continue;
            }
            if (spec.maxMemory > 0 && s.rss() > spec.maxMemory) {
                if (++m.overMemory >= MEMORY_STRIKES) {
                    requestRecycle(m, Recycle.MEMORY, "its RSS " + Units.formatSize(s.rss()) + " stayed over the limit of "
                            + Units.formatSize(spec.maxMemory));
                }
            } else {
                m.overMemory = 0;
            }
            long served = m.worker.stats().requests();
            if (m.requestLimit > 0 && served >= m.requestLimit) {
                requestRecycle(m, Recycle.REQUESTS, "it served " + served + " requests (its limit: " + m.requestLimit + ")");
            }
        }
    }

    enum Recycle { MEMORY, REQUESTS, HANG }

    private void requestRecycle(Member m, Recycle kind, String why) {
        if (stopping || !recycling.add(m.id)) {
            return;
        }
        ops.execute(() -> {
            try {
                recycle(m, kind, why);
            } catch (Exception e) {
                if (!stopping) {
                    log.warn("recycling " + m.label() + " failed: " + e.getMessage());
                }
            }
        });
    }

    private void watchBoot(Worker w, String line) {
        if (booted || bootProblem != null) {
            return;
        }
        Matcher l = LISTEN_ERROR.matcher(line);
        if (l.find()) {
            String addr = l.group(2) + ":" + l.group(3);
            bootProblem = l.group(1).equals("EADDRINUSE")
                    ? new BootProblem(ExitCode.PORT_IN_USE, "port " + l.group(3) + " is in use (" + addr + "): stop what "
                    + "uses it, or give the application another port")
                    : new BootProblem(ExitCode.BOOT_FAILED, "the workers cannot listen on " + addr + " (" + l.group(1)
                    + "): give the application another address or port");
            return;
        }
        Matcher n = NO_MAIN.matcher(line);
        if (n.find()) {
            bootProblem = new BootProblem(ExitCode.NO_MAIN_CLASS, "the workers found no main class " + n.group(1)
                    + "; check --main-class and --classpath");
        }
    }

    // ---- operations (operations thread) ----

    /** The result of {@link #boot}: null problem when the workers are up. */
    public record Boot(BootProblem problem, List<String> warnings, Set<String> addresses, int workers) { }

    /** Starts the wanted workers and waits until each listens, one fails, or the ready timeout passes. */
    public Boot boot() throws Exception {
        return submit(() -> {
            int n = spec.instanceCount();
            call(() -> target = n);
            List<Member> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                started.add(fork(1));
            }
            long deadline = System.nanoTime() + spec.readyTimeout.toNanos();
            for (;;) {
                BootProblem p = bootProblem;
                if (p != null) {
                    return new Boot(p, List.of(), Set.of(), 0);
                }
                for (Member m : started) {
                    if (m.exit.isDone() && !m.listening.isDone()) {
                        Thread.sleep(300); // its last lines (the cause) may still be on the way
                        p = bootProblem;
                        return new Boot(p != null ? p : new BootProblem(ExitCode.BOOT_FAILED, m.label() + " exited ("
                                + m.exit.join() + ") before it listened; its output is above and in "
                                + log.mergedFile()), List.of(), Set.of(), 0);
                    }
                }
                if (started.stream().allMatch(m -> m.listening.isDone())) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    List<String> warnings = new ArrayList<>();
                    for (Member m : started) {
                        if (!m.listening.isDone()) {
                            warnings.add(m.label() + " is " + (m.online.isDone() ? "online but not listening" : "not online")
                                    + " after " + Units.formatDuration(spec.readyTimeout) + "; it keeps running");
                        }
                    }
                    booted = true;
                    return new Boot(null, warnings, call(() -> new LinkedHashSet<>(addresses)), n);
                }
                Thread.sleep(20);
            }
            booted = true;
            return new Boot(null, List.of(), call(() -> new LinkedHashSet<>(addresses)), n);
        }).get();
    }

    /**
     * Rolling reload: for each worker of an older generation (oldest first, {@code parallel} at a time) a
     * replacement of the new generation is started; once it listens as the old one did (through the cluster,
     * and on the ports the old one's process held itself) the old one is taken out of rotation and drained
     * (killed at the drain deadline). A replacement that exits, or does not listen in time, stops the reload: it
     * is killed, its slot abandoned, and the workers not yet replaced keep serving. A replacement counts as
     * replaced only when it still runs once its old worker has gone; the reply lists what serves.
     */
    public JsonNode reload(int parallel, Consumer<JsonNode> progress) throws Exception {
        return run("reloading", () -> {
            int gen = call(() -> ++generation);
            List<Member> queue = call(() -> inService(m -> m.generation < gen));
            int total0 = queue.size();
            progress.accept(progressEvent("start", 0, total0, "replacing " + total0 + " worker(s) with generation " + gen
                    + ", " + parallel + " at a time"));
            log.event("reload: replacing " + total0 + " worker(s) with generation " + gen + ", " + parallel + " at a time");
            int total = total0;
            Set<Integer> handled = new HashSet<>();
            queue.forEach(m -> handled.add(m.id));
            List<Member> replacements = new ArrayList<>();
            int done = 0;
            while (!queue.isEmpty()) {
                checkNotStopping("reload");
                List<Member> batch = new ArrayList<>(queue.subList(0, Math.min(parallel, queue.size())));
                queue.subList(0, batch.size()).clear();
                List<Member> fresh = new ArrayList<>();
                List<Set<Integer>> ownPorts = new ArrayList<>();
                for (Member old : batch) {
                    ownPorts.add(ProcStats.listeningPorts(old.pid));
                    Member f = fork(gen);
                    fresh.add(f);
                    progress.accept(progressEvent("spawn", done, total, f.label() + " starting to replace " + old.label()));
                }
                long deadline = System.nanoTime() + spec.readyTimeout.toNanos();
                List<Member> draining = new ArrayList<>();
                List<String> failures = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    Member old = batch.get(i);
                    Member f = fresh.get(i);
                    String r = awaitReady(f, deadline, ownPorts.get(i), null);
                    if (r == null) {
                        progress.accept(progressEvent("drain", done, total, f.label() + " ready; draining " + old.label()));
                        retire(old, spec.drainTimeout, "replaced by worker " + f.id + " in a reload", true);
                        draining.add(old);
                    } else {
                        abandon(f);
                        failures.add("new " + f.label() + " " + r);
                    }
                }
                for (int i = 0, j = 0; i < batch.size(); i++) {
                    Member old = batch.get(i);
                    Member f = fresh.get(i);
                    if (j < draining.size() && draining.get(j) == old) {
                        j++;
                        old.exit.get(spec.drainTimeout.plus(KILL_GRACE).toMillis(), TimeUnit.MILLISECONDS);
                        if (f.exit.isDone()) { // it listened, then died: it replaced nothing
                            abandon(f);
                            failures.add("new " + f.label() + " listened, then exited (" + f.exit.join() + ") while "
                                    + old.label() + " drained");
                        } else {
                            replacements.add(f);
                            done++;
                        }
                    }
                }
                progress.accept(progressEvent("replaced", done, total, done + " of " + total + " replaced"));
                if (!failures.isEmpty()) {
                    String serving = call(this::servingSummary);
                    String now = call(() -> servingList(replacements));
                    String msg = "reload stopped: " + String.join("; ", failures) + "; the old workers not yet replaced "
                            + "keep serving (" + serving + "); now serving: " + now;
                    log.warn(msg);
                    throw new ReloadFailed(msg);
                }
                // Workers of an older generation restarted by the crash policy meanwhile are replaced as well.
                List<Member> more = call(() -> inService(m -> m.generation < gen && !handled.contains(m.id)));
                more.forEach(m -> handled.add(m.id));
                queue.addAll(more);
                total += more.size();
            }
            List<String> died = new ArrayList<>();
            for (Member f : replacements) {
                if (f.exit.isDone()) {
                    died.add(f.label() + " exited (" + f.exit.join() + ") after its old worker left");
                }
            }
            int replaced = done - died.size();
            ObjectNode data = call(() -> serving(replacements));
            String now = call(() -> servingList(replacements));
            log.event("reload done: " + replaced + " worker(s) replaced; generation " + gen + " serving; now serving: " + now);
            data.put("replaced", replaced);
            data.put("generation", gen);
            data.put("servingList", now);
            if (!died.isEmpty()) {
                data.put("warning", String.join("; ", died));
            }
            return data;
        });
    }

    /** A reload that stopped; the message says what serves now. */
    public static final class ReloadFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReloadFailed(String message) {
            super(message);
        }
    }

    /**
     * Not graceful: a new generation is started all at once; once it is ready (or the ready timeout passed)
     * every old worker is killed without draining. If no new worker becomes ready the old ones keep serving.
     */
    public JsonNode restart() throws Exception {
        return run("restarting", () -> {
            int gen = call(() -> ++generation);
            List<Member> old = call(() -> inService(m -> true));
            log.event("restart: starting " + old.size() + " new worker(s) of generation " + gen + ", then killing the old");
            List<Member> fresh = new ArrayList<>();
            for (int i = 0; i < old.size(); i++) {
                fresh.add(fork(gen));
            }
            long deadline = System.nanoTime() + spec.readyTimeout.toNanos();
            List<Member> ready = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (Member f : fresh) {
                String r = awaitReady(f, deadline, Set.of(), null); // the old ones still hold their own ports
                if (r == null) {
                    ready.add(f);
                } else {
                    abandon(f);
                    failures.add(f.label() + " " + r);
                }
            }
            if (ready.isEmpty() && !old.isEmpty()) {
                String msg = "restart stopped: no new worker became ready (" + String.join("; ", failures)
                        + "); the old workers keep serving; now serving: " + call(() -> servingList(List.of()));
                log.warn(msg);
                throw new ReloadFailed(msg);
            }
            List<CompletableFuture<ExitStatus>> kills = new ArrayList<>();
            for (Member m : old) {
                kills.add(retire(m, Duration.ZERO, "killed by a restart", false));
            }
            for (CompletableFuture<ExitStatus> k : kills) {
                k.get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            List<Member> running = new ArrayList<>();
            for (Member f : ready) {
                if (f.exit.isDone()) {
                    failures.add(f.label() + " exited (" + f.exit.join() + ") after it was ready");
                } else {
                    running.add(f);
                }
            }
            ObjectNode data = call(() -> serving(running));
            String now = call(() -> servingList(running));
            data.put("restarted", old.size());
            data.put("ready", running.size());
            data.put("generation", gen);
            data.put("servingList", now);
            if (!failures.isEmpty()) {
                data.put("warning", String.join("; ", failures));
            }
            log.event("restart done: " + running.size() + " of " + fresh.size() + " new worker(s) ready; now serving: " + now);
            return data;
        });
    }

    /** Scales to {@code N}, {@code +K} or {@code -K} workers within the machine's capacity (a signal's scale). */
    public JsonNode scale(String how) throws Exception {
        return scale(how, false, p -> { }, new CompletableFuture<>());
    }

    /**
     * Scales to {@code N}, {@code +K} or {@code -K} workers; new ones must become ready, the oldest retire first.
     * Unless {@code force}, a count beyond the machine's {@link Capacity} is refused before any worker starts.
     * Progress goes to {@code progress}; {@code cancel} completing (the client went away) or a stop ends a scale up
     * early: the new workers that listen are kept, the others stopped, and the reply says so in one line.
     */
    public JsonNode scale(String how, boolean force, Consumer<JsonNode> progress, CompletableFuture<Void> cancel)
            throws Exception {
        return run("scaling", () -> {
            int[] now = call(() -> new int[] {target, inService(m -> true).size()});
            int wanted = ScaleSpec.parse(how, now[0]);
            int live = now[1];
            if (!force) {
                long each = call(this::medianRss);
                String no = capacity.refusal(live, wanted, each);
                if (no != null) {
                    throw new ControlException("refusing to scale " + name + " from " + live + " to " + wanted + ": " + no
                            + "; --force scales anyway", ExitCode.USAGE);
                }
            }
            call(() -> target = wanted);
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            if (wanted > live) {
                scaleUp(live, wanted, progress, CompletableFuture.anyOf(cancel, stopRequested));
            } else if (wanted < live) {
                log.event("scale: " + live + " -> " + wanted + " worker(s), retiring the oldest");
                List<Member> victims = call(() -> inService(m -> true)).subList(0, live - wanted);
                List<CompletableFuture<ExitStatus>> drains = new ArrayList<>();
                for (Member v : victims) {
                    drains.add(retire(v, spec.drainTimeout, "scaled down", true));
                }
                for (CompletableFuture<ExitStatus> d : drains) {
                    d.get(spec.drainTimeout.plus(KILL_GRACE).toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            data.put("from", live);
            data.put("to", wanted);
            return data;
        });
    }

    private void scaleUp(int live, int wanted, Consumer<JsonNode> progress, CompletableFuture<Object> cancel) throws Exception {
        int adding = wanted - live;
        log.event("scale: " + live + " -> " + wanted + " worker(s)");
        progress.accept(progressEvent("start", 0, adding, "starting " + adding + " worker(s)"));
        List<Member> fresh = new ArrayList<>();
        List<Member> ready = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try {
            int gen = call(() -> generation);
            for (int i = 0; i < adding && !cancel.isDone(); i++) {
                Member f = fork(gen);
                fresh.add(f);
                progress.accept(progressEvent("spawn", ready.size(), adding, f.label() + " starting (" + fresh.size()
                        + " of " + adding + " started)"));
            }
            long deadline = System.nanoTime() + spec.readyTimeout.toNanos();
            for (Member f : fresh) {
                if (cancel.isDone()) {
                    break;
                }
                String r = awaitReady(f, deadline, Set.of(), cancel);
                if (r == null) {
                    ready.add(f);
                    progress.accept(progressEvent("ready", ready.size(), adding, f.label() + " ready"));
                } else if (!cancel.isDone()) {
                    abandon(f);
                    failures.add(f.label() + " " + r);
                }
            }
        } catch (InterruptedException | ControlException e) {
            if (!stopping) {
                throw e;
            }
        }
        if (cancel.isDone() || stopping) {
            String why = stopping ? name + " is stopping" : "the scale command went away (interrupted)";
            List<Member> unready = new ArrayList<>(fresh);
            unready.removeAll(ready);
            String msg = "scale cancelled (" + why + "): " + ready.size() + " of " + adding + " new worker(s) ready and kept"
                    + (stopping ? "" : ", " + unready.size() + " started but not ready stopped, "
                    + (adding - fresh.size()) + " never started");
            if (!stopping) {
                unready.forEach(this::abandon);
                call(() -> target = live + ready.size());
            }
            log.warn(msg);
            throw new ControlException(msg);
        }
        if (!failures.isEmpty()) {
            call(() -> target = inService(m -> true).size());
            throw new ControlException("scale up stopped: " + String.join("; ", failures));
        }
    }

    /** The median RSS of the workers in service, from the last tick's samples; 0 when none is known yet. */
    private long medianRss() {
        List<Long> rss = new ArrayList<>();
        for (Member m : inService(x -> true)) {
            long r = m.sample != null ? m.sample.rss() : ProcStats.rss(m.pid);
            if (r > 0) {
                rss.add(r);
            }
        }
        if (rss.isEmpty()) {
            return 0;
        }
        rss.sort(null);
        return rss.get(rss.size() / 2);
    }

    /** Replaces one worker for a policy: the replacement first, then the old one drained (or, hung, dumped and killed). */
    private void recycle(Member m, Recycle kind, String why) throws Exception {
        if (stopping || m.exit.isDone()) {
            return;
        }
        log.warn("recycling " + m.label() + ": " + why);
        if (kind == Recycle.HANG) {
            List<String> dump = ThreadDumper.dump(m.pid);
            if (dump != null) {
                List<String> block = new ArrayList<>();
                block.add("----- thread dump taken by the primary: " + why + " -----");
                block.addAll(dump);
                block.add("----- end of thread dump -----");
                log.workerBlock(m.id, m.pid, block);
            }
            log.event("thread dump of " + m.label() + " saved to " + LogSink.workerFile(log.dir(), m.id));
        }
        operation = "recycling";
        try {
            Member fresh = fork(m.generation);
            String r = awaitReady(fresh, System.nanoTime() + spec.readyTimeout.toNanos(), Set.of(), null);
            if (r != null) {
                if (kind == Recycle.HANG) {
                    log.warn("the replacement " + fresh.label() + " " + r + "; killing the hung " + m.label() + " anyway");
                    retire(m, Duration.ZERO, why, false).get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    abandon(fresh);
                    log.warn("kept " + m.label() + ": its replacement " + fresh.label() + " " + r);
                    loop.schedule(() -> recycling.remove(m.id), 60, TimeUnit.SECONDS); // try again later
                }
                return;
            }
            boolean hung = kind == Recycle.HANG;
            retire(m, hung ? Duration.ZERO : spec.drainTimeout, "recycled: " + why, !hung)
                    .get(spec.drainTimeout.plus(KILL_GRACE).toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            operation = null;
        }
    }

    /** Sends {@code message} to every worker, or to worker {@code id} only (id &lt; 0: all). */
    public JsonNode send(JsonNode message, int id) throws Exception {
        return call(() -> {
            int sent = 0;
            if (id >= 0 && !members.containsKey(id)) {
                throw new ControlException("no worker " + id + " in " + name + "; 'jcluster status " + name + "' lists them");
            }
            for (Member m : members.values()) {
                if ((id < 0 || m.id == id) && m.worker.send(message)) {
                    sent++;
                }
            }
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("sent", sent);
            return data;
        });
    }

    /**
     * Stops the cluster: no more restarts or operations, every worker drained (killed at the deadline; at once
     * when {@code fast}). Completes when every worker has exited.
     */
    public CompletableFuture<Integer> stop(Duration deadline, boolean fast, String why) {
        synchronized (this) {
            if (stopping) {
                if (fast) {
                    log.warn(why + ": killing the workers now");
                    Cluster.workers().values().forEach(w -> w.kill("SIGKILL"));
                }
                return terminated;
            }
            stopping = true;
        }
        stopRequested.complete(null);
        if (fast) {
            List<Worker> all = List.copyOf(Cluster.workers().values());
            log.event(why + ": stopping now (workers killed): " + all.size() + " worker(s)");
            all.forEach(w -> w.kill("SIGKILL")); // killed here, so the core's deadline below only names stragglers
        } else {
            log.event(why + ": stopping gracefully (deadline " + Units.formatDuration(deadline) + ")");
        }
        ops.shutdownNow();
        Cluster.shutdown(fast ? KILL_GRACE : deadline).whenComplete((v, e) -> {
            log.event("all workers stopped");
            terminated.complete(0);
        });
        return terminated;
    }

    // ---- helpers ----

    private JsonNode run(String what, Callable<JsonNode> op) throws Exception {
        return submit(() -> {
            operation = what;
            try {
                return op.call();
            } finally {
                operation = null;
            }
        }).get();
    }

    private <T> Future<T> submit(Callable<T> op) {
        if (stopping) {
            throw new ControlException(name + " is stopping");
        }
        try {
            return ops.submit(op);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new ControlException(name + " is stopping");
        }
    }

    private void checkNotStopping(String what) {
        if (stopping) {
            throw new ControlException(name + " is stopping; the " + what + " was abandoned");
        }
    }

    /** Forks a worker into a new slot of generation {@code gen} (operations thread). */
    private Member fork(int gen) throws Exception {
        checkNotStopping("operation");
        int slot = call(() -> {
            int s = ++lastSlot;
            slots.put(s, new Slot(s));
            return s;
        });
        Worker w = Cluster.fork(Map.of(ENV_SLOT, Integer.toString(slot), ENV_GENERATION, Integer.toString(gen)));
        return call(() -> {
            Member m = known.get(w.id());
            if (m == null) { // cannot happen: the fork event is queued before fork() returns
                m = new Member(w);
                members.put(m.id, m);
                known.put(m.id, m);
            }
            if (m.slot < 0) {
                bind(m, slot, gen);
            }
            return m;
        });
    }

    /**
     * Null once {@code m} is ready, else why not: ready is listening through the cluster (or online, if no worker
     * of this cluster ever listened through it) and holding its own listening sockets on every port of
     * {@code ownPorts} (the ports the worker it replaces held itself). {@code cancel} (may be null) ends the wait.
     */
    private String awaitReady(Member m, long deadlineNanos, Set<Integer> ownPorts, CompletableFuture<?> cancel)
            throws InterruptedException {
        boolean viaCluster = everListened;
        CompletableFuture<Void> ready = viaCluster ? m.listening : m.online;
        String what = viaCluster || !ownPorts.isEmpty() ? "listen" : "come online";
        String past = viaCluster || !ownPorts.isEmpty() ? "listened" : "came online";
        CompletableFuture<?> stop = cancel == null ? new CompletableFuture<>() : cancel;
        for (;;) {
            long left = deadlineNanos - System.nanoTime();
            long wait = ownPorts.isEmpty() || !ready.isDone() ? left : Math.min(left, TimeUnit.MILLISECONDS.toNanos(50));
            try {
                CompletableFuture.anyOf(ready, m.exit, stop).get(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // checked below
            } catch (ExecutionException e) {
                return "failed: " + e.getCause();
            }
            if (m.exit.isDone()) {
                return "exited (" + m.exit.join() + ") before it " + past
                        + (ownPorts.isEmpty() ? "" : " (on its own port(s) " + ownPorts + ", as the worker it replaces does)");
            }
            if (stop.isDone()) {
                return "was cancelled before it " + past;
            }
            if (ready.isDone() && (ownPorts.isEmpty() || ProcStats.listeningPorts(m.pid).containsAll(ownPorts))) {
                return null;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return "did not " + what + (ownPorts.isEmpty() ? "" : " on its own port(s) " + ownPorts) + " within "
                        + Units.formatDuration(spec.readyTimeout);
            }
        }
    }

    /** Kills a new worker that did not become ready, and any restart of its slot. */
    private void abandon(Member f) {
        loop.execute(() -> {
            Slot s = slots.get(f.slot);
            if (s != null) {
                s.abandoned = true;
            }
            for (Member m : members.values()) {
                if (m == f || (f.slot >= 0 && m.slot == f.slot)) {
                    m.retiring = "abandoned: it did not become ready";
                    m.worker.kill("SIGKILL");
                }
            }
        });
    }

    /**
     * Takes a worker out of service: {@code graceful} disconnects it (out of rotation, in-flight requests
     * finish) and kills it at the drain deadline; otherwise it is killed at once. Completes on its exit.
     */
    private CompletableFuture<ExitStatus> retire(Member m, Duration drain, String why, boolean graceful) {
        loop.execute(() -> {
            if (m.exit.isDone()) {
                return;
            }
            m.retiring = why;
            if (graceful) {
                m.worker.disconnect();
                loop.schedule(() -> {
                    if (!m.exit.isDone()) {
                        log.warn(m.label() + " did not drain within " + Units.formatDuration(drain) + "; killing it");
                        m.worker.kill("SIGKILL");
                    }
                }, drain.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                m.worker.kill("SIGKILL");
            }
        });
        return m.exit;
    }

    private List<Member> inService(java.util.function.Predicate<Member> p) {
        List<Member> l = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.inService() && p.test(m)) {
                l.add(m);
            }
        }
        l.sort(Comparator.comparingInt(m -> m.id));
        return l;
    }

    /** The workers serving now, as {@code "worker 3 (pid 123, generation 2)"}; marks ones the restart policy started. */
    private String servingList(List<Member> fromThisOperation) {
        List<String> parts = new ArrayList<>();
        for (Member m : inService(x -> true)) {
            parts.add(m.label().replace(")", ", generation " + m.generation + origin(m, fromThisOperation) + ")"));
        }
        return parts.isEmpty() ? "no worker" : String.join(", ", parts);
    }

    /** What serves now, for a reply: {@code serving: [{id, pid, generation, restartedByPolicy}]}. */
    private ObjectNode serving(List<Member> fromThisOperation) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        ArrayNode a = data.putArray("serving");
        for (Member m : inService(x -> true)) {
            ObjectNode w = a.addObject();
            w.put("id", m.id);
            w.put("pid", m.pid);
            w.put("generation", m.generation);
            w.put("restartedByPolicy", m.restarts > 0 && !fromThisOperation.contains(m));
        }
        return data;
    }

    private static String origin(Member m, List<Member> fromThisOperation) {
        return m.restarts > 0 && !fromThisOperation.contains(m) ? ", started by the restart policy" : "";
    }

    private String servingSummary() {
        Map<Integer, Integer> byGen = new TreeMap<>();
        for (Member m : inService(x -> true)) {
            byGen.merge(m.generation, 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        byGen.forEach((g, n) -> parts.add(n + " of generation " + g));
        return parts.isEmpty() ? "no worker" : String.join(", ", parts);
    }

    private <T> T call(Callable<T> task) throws Exception {
        try {
            return loop.submit(task).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    static String address(InetSocketAddress a) {
        if (a.getAddress() == null || a.getAddress().isAnyLocalAddress()) {
            return "*:" + a.getPort();
        }
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    private static Integer integer(String s) {
        try {
            return s == null ? null : Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static ObjectNode progressEvent(String phase, int done, int total, String message) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("phase", phase);
        n.put("done", done);
        n.put("total", total);
        n.put("message", message);
        return n;
    }

    // ---- status ----

    /** The cluster and each worker: what {@code jcluster status} shows. */
    public JsonNode status() throws Exception {
        return call(() -> {
            ObjectNode s = JsonNodeFactory.instance.objectNode();
            s.put("name", name);
            s.put("pid", ProcessHandle.current().pid());
            s.put("app", app.description());
            s.put("started", started.toString());
            s.put("uptimeSeconds", Duration.between(started, Instant.now()).toSeconds());
            s.put("state", stopping ? "stopping" : operation != null ? operation : "running");
            s.put("generation", generation);
            s.put("target", target);
            s.put("logDir", log.dir().toString());
            ArrayNode addrs = s.putArray("addresses");
            addresses.forEach(addrs::add);
            ArrayNode ws = s.putArray("workers");
            for (Member m : members.values()) {
                ObjectNode w = ws.addObject();
                WorkerStats st = m.worker.stats();
                w.put("id", m.id);
                w.put("pid", m.pid);
                w.put("state", m.worker.state().name().toLowerCase(java.util.Locale.ROOT));
                w.put("generation", m.generation);
                w.put("slot", m.slot);
                w.put("uptimeSeconds", Duration.between(m.forkedAt, Instant.now()).toSeconds());
                w.put("restarts", m.restarts);
                w.put("rssBytes", m.sample == null ? ProcStats.rss(m.pid) : m.sample.rss());
                if (m.cpu >= 0) {
                    w.put("cpuPercent", Math.round(m.cpu * 10) / 10.0);
                } else {
                    w.putNull("cpuPercent");
                }
                w.put("connections", st.connections());
                w.put("requests", st.requests());
                if (m.requestLimit > 0) {
                    w.put("requestLimit", m.requestLimit);
                }
                if (m.retiring != null) {
                    w.put("leaving", m.retiring);
                }
            }
            return s;
        });
    }

    /** Number of workers in service (for the registry). */
    public int liveWorkers() throws Exception {
        return call(() -> inService(m -> true).size());
    }
}
