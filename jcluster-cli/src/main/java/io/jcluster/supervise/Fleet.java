package io.jcluster.supervise;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.Worker;
import io.jcluster.control.ControlException;
import io.jcluster.logs.LogSink;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The workers as the coordinator sees them: the members by id, the wanted count, the generation being rolled out,
 * the addresses served, and whether the cluster is stopping. The core's events ({@link #forked}, {@link #listening},
 * {@link #exited}) arrive on its supervisor thread; operations and policies read and act from theirs. Every method
 * holds this object's monitor, and none waits while holding it.
 *
 * <p>Taking a worker out of service is the core's {@link Worker#retire} (out of rotation, drained, SIGKILL at the
 * deadline, never restarted); the fleet only notes why, for the log and {@code status}.
 */
final class Fleet {
    private final String name;
    private final LogSink log;
    private final boolean autorestart;
    private final LongSupplier requestLimits;
    private final ClusterEvents events;
    private final Map<Integer, Member> members = new TreeMap<>();
    /** Members by id, also shortly after they exit: {@link #fork} finds a worker that died at once. */
    private final Map<Integer, Member> recent = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Member> eldest) {
            return size() > 256;
        }
    };
    /** Per slot, how many times the core has restarted it. */
    private final Map<Integer, Integer> slotRestarts = new HashMap<>();
    /** Slots whose restarts were cancelled: a restart that raced the cancel is retired as it appears. */
    private final Set<Integer> abandoned = new HashSet<>();
    private final Set<String> addresses = new LinkedHashSet<>();
    private final CompletableFuture<Void> stopRequested = new CompletableFuture<>();
    private int generation = 1;
    private int target;
    private boolean everListened;
    private boolean booted;
    private boolean stopping;

    Fleet(String name, LogSink log, boolean autorestart, LongSupplier requestLimits, ClusterEvents events) {
        this.name = name;
        this.events = events;
        this.log = log;
        this.autorestart = autorestart;
        this.requestLimits = requestLimits;
    }

    // ---- the core's events (its supervisor thread) ----

    synchronized void forked(Worker w) {
        Integer before = slotRestarts.get(w.slot());
        int restarts = before == null ? 0 : before + 1;
        slotRestarts.put(w.slot(), restarts);
        Member m = new Member(w, restarts, requestLimits.getAsLong());
        members.put(m.id, m);
        recent.put(m.id, m);
        events.publish(ClusterEvents.event("fork", w));
        if (restarts > 0) {
            log.event(m.label() + " restarts worker slot " + w.slot() + " (restart " + restarts + ")"
                    + (w.isSpare() ? " as a hot spare" : ""));
            events.publish(ClusterEvents.event("restart", w).put("restarts", restarts));
        }
        if (abandoned.contains(w.slot())) {
            m.leaving = "its slot was abandoned";
            w.retire(Duration.ZERO);
        }
    }

    synchronized void listening(Worker w, InetSocketAddress a) {
        Member m = members.get(w.id());
        if (m == null) {
            return;
        }
        everListened = true;
        String addr = address(a);
        events.publish(ClusterEvents.event("listening", w).put("address", addr));
        if (addresses.add(addr) || !booted) {
            log.event(m.label() + " listening on " + addr);
        }
        m.listened.complete(null);
    }

    synchronized void exited(Worker w, ExitStatus status) {
        Member m = members.remove(w.id());
        notePromotions("in place of worker " + w.id() + " (pid " + w.pid() + ")");
        log.workerExited(w.id());
        ObjectNode e = ClusterEvents.exit(w, status);
        if (m != null && m.leaving != null) {
            e.put("reason", m.leaving);
        }
        events.publish(e);
        if (m == null) {
            return;
        }
        if (m.leaving != null) {
            log.event(m.label() + " stopped (" + m.leaving + ")" + (status.code() == 0 ? "" : ": " + status));
        } else if (!w.exitedAfterDisconnect() && !stopping) {
            log.warn(m.label() + " died: " + status + (autorestart
                    ? "; the restart policy replaces it" : "; not restarted (autorestart is off)"));
        } else {
            log.event(m.label() + " exited: " + status);
        }
        m.gone.complete(null);
    }

    /** Logs and publishes each spare the core promoted since the last call ({@code why}: in whose place). */
    synchronized void notePromotions(String why) {
        for (Member m : members.values()) {
            if (m.wasSpare && !m.spare() && !m.worker.exited().isDone()) {
                m.wasSpare = false;
                log.event(m.label() + " promoted from hot spare into rotation " + why);
                events.publish(ClusterEvents.event("promote", m.worker).put("reason", "promoted " + why));
            }
        }
    }

    // ---- what operations do ----

    /**
     * The environment variable with a worker's instance number, as PM2's {@code NODE_APP_INSTANCE}: 0 … N-1, the
     * same for a worker's replacement (reload, recycling, a restart after a crash); a new worker (boot, scale up)
     * takes the lowest number no worker in service has. {@value #ENV_NODE_APP_INSTANCE} holds it too, for scripts
     * written for PM2.
     */
    static final String ENV_INSTANCE = "JCLUSTER_INSTANCE";
    static final String ENV_NODE_APP_INSTANCE = "NODE_APP_INSTANCE";

    /** Forks a new worker (a new slot, the lowest free instance) of generation {@code gen}. */
    Member fork(int gen) {
        return fork(gen, freeInstance());
    }

    /** The lowest instance number no worker in service (in rotation or spare) has. */
    synchronized int freeInstance() {
        java.util.BitSet used = new java.util.BitSet();
        for (Member m : members.values()) {
            if (m.inService() && m.instance() >= 0) {
                used.set(m.instance());
            }
        }
        return used.nextClearBit(0);
    }

    /**
     * Forks a worker into a new slot of generation {@code gen} with instance number {@code instance} (a
     * replacement's is the old worker's); its member once the core has started it. A restart after a crash keeps
     * the environment, so the instance too.
     */
    Member fork(int gen, int instance) {
        return fork(gen, instance, false);
    }

    /** As {@link #fork(int, int)}; {@code spare}: a hot spare, out of rotation until promoted ({@link HotSpares}). */
    Member fork(int gen, int instance, boolean spare) {
        checkNotStopping("operation");
        String n = Integer.toString(instance);
        Map<String, String> env = Map.of(ENV_INSTANCE, n, ENV_NODE_APP_INSTANCE, n);
        Worker w = spare ? Cluster.forkSpare(env, gen) : Cluster.fork(env, gen);
        synchronized (this) {
            return recent.get(w.id()); // the fork event ran on the core's thread before fork() returned
        }
    }

    /**
     * Takes a worker out of service through the core: drained for {@code drain} (zero: killed at once), never
     * restarted. Completes once the fleet has recorded its exit.
     */
    CompletableFuture<Void> retire(Member m, Duration drain, String why) {
        synchronized (this) {
            if (m.gone.isDone()) {
                return m.gone;
            }
            m.leaving = why;
        }
        m.worker.retire(drain);
        return m.gone;
    }

    /** A new worker that did not become ready: no restart of its slot, and it (and any restart of it) killed. */
    synchronized void abandon(Member f) {
        abandoned.add(f.slot());
        f.worker.cancelRestarts();
        for (Member m : members.values()) {
            if (m.slot() == f.slot()) {
                m.leaving = "abandoned: it did not become ready";
                m.worker.retire(Duration.ZERO);
            }
        }
    }

    /** The members in service matching {@code p}, hot spares included and first (a reload replaces them first), then oldest first. */
    synchronized List<Member> inService(Predicate<Member> p) {
        List<Member> l = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.inService() && m.spare() && p.test(m)) {
                l.add(m);
            }
        }
        for (Member m : members.values()) {
            if (m.inService() && !m.spare() && p.test(m)) {
                l.add(m);
            }
        }
        return l;
    }

    /** The members in rotation (in service, not spares), oldest first: what scale counts and what serves. */
    synchronized List<Member> inService() {
        return inService(m -> !m.spare());
    }

    /** The hot spares in service, oldest first. */
    synchronized List<Member> spares() {
        return inService(Member::spare);
    }

    synchronized List<Member> all() {
        return new ArrayList<>(members.values());
    }

    synchronized Member member(int id) {
        return members.get(id);
    }

    synchronized int nextGeneration() {
        return ++generation;
    }

    synchronized int generation() {
        return generation;
    }

    synchronized int target() {
        return target;
    }

    synchronized void target(int n) {
        target = n;
    }

    synchronized boolean everListened() {
        return everListened;
    }

    synchronized void booted() {
        booted = true;
    }

    synchronized Set<String> addresses() {
        return new LinkedHashSet<>(addresses);
    }

    // ---- stopping ----

    /** True once, for the first caller: the cluster is stopping from now on. */
    synchronized boolean beginStop() {
        if (stopping) {
            return false;
        }
        stopping = true;
        stopRequested.complete(null);
        return true;
    }

    synchronized boolean stopping() {
        return stopping;
    }

    /** Completes when a stop begins: operations in progress end early. */
    CompletableFuture<Void> stopRequested() {
        return stopRequested;
    }

    String name() {
        return name;
    }

    ClusterEvents events() {
        return events;
    }

    void checkNotStopping(String what) {
        if (stopping()) {
            throw new ControlException(name + " is stopping; the " + what + " was abandoned");
        }
    }

    // ---- what serves, for replies and messages ----

    /** The workers serving now, as {@code "worker 3 (pid 123, generation 2)"}; marks ones the restart policy started. */
    synchronized String servingList(List<Member> fromThisOperation) {
        List<String> parts = new ArrayList<>();
        for (Member m : inService()) {
            parts.add(m.label().replace(")", ", generation " + m.generation()
                    + (byPolicy(m, fromThisOperation) ? ", started by the restart policy" : "") + ")"));
        }
        return parts.isEmpty() ? "no worker" : String.join(", ", parts);
    }

    /** What serves now, for a reply: {@code serving: [{id, pid, generation, restartedByPolicy}]}. */
    synchronized ObjectNode serving(List<Member> fromThisOperation) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        ArrayNode a = data.putArray("serving");
        for (Member m : inService()) {
            ObjectNode w = a.addObject();
            w.put("id", m.id);
            w.put("pid", m.pid);
            w.put("generation", m.generation());
            w.put("restartedByPolicy", byPolicy(m, fromThisOperation));
        }
        return data;
    }

    /** How many serve of each generation: {@code "2 of generation 1, 1 of generation 2"}. */
    synchronized String servingSummary() {
        Map<Integer, Integer> byGen = new TreeMap<>();
        for (Member m : inService()) {
            byGen.merge(m.generation(), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        byGen.forEach((g, n) -> parts.add(n + " of generation " + g));
        return parts.isEmpty() ? "no worker" : String.join(", ", parts);
    }

    /** The median RSS of the workers in service, from the last samples; 0 when none is known yet. */
    synchronized long medianRss() {
        List<Long> rss = new ArrayList<>();
        for (Member m : inService()) {
            ProcStats.Sample s = m.sample;
            long r = s != null ? s.rss() : ProcStats.rss(m.pid);
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

    private static boolean byPolicy(Member m, List<Member> fromThisOperation) {
        return m.restarts > 0 && !fromThisOperation.contains(m);
    }

    static String address(InetSocketAddress a) {
        if (a.getAddress() == null || a.getAddress().isAnyLocalAddress()) {
            return "*:" + a.getPort();
        }
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + compact(h) + "]" : h) + ":" + a.getPort();
    }

    /**
     * An IPv6 address as RFC 5952 writes it: the JDK's {@code 0:0:0:0:0:0:0:1} becomes {@code ::1}, the form the
     * user gave (the longest run of two or more zero groups, the first of equal ones, becomes {@code ::}).
     */
    static String compact(String v6) {
        int pct = v6.indexOf('%');
        String scope = pct < 0 ? "" : v6.substring(pct);
        String[] g = (pct < 0 ? v6 : v6.substring(0, pct)).split(":", -1);
        int best = -1;
        int bestLen = 1;
        for (int i = 0; i < g.length; i++) {
            int j = i;
            while (j < g.length && g[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
        }
        if (best < 0) {
            return v6;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, best));
        String tail = String.join(":", java.util.Arrays.copyOfRange(g, best + bestLen, g.length));
        return head + "::" + tail + scope;
    }
}
