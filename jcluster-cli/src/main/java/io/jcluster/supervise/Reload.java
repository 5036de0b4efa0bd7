package io.jcluster.supervise;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.logs.LogSink;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Rolling reload: for each worker of an older generation (oldest first, {@code parallel} at a time) a replacement
 * of the new generation is started; once it is ready ({@link Readiness}) the old one is retired (drained, killed
 * at the drain deadline). A replacement that exits, or is not ready in time, stops the reload: it is abandoned
 * (killed, its slot not restarted), and the workers not yet replaced keep serving. A replacement counts as
 * replaced only when it still runs once its old worker has gone; the reply lists what serves.
 */
final class Reload {
    /** A reload (or restart) that stopped; the message says what serves now. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    private final Fleet fleet;
    private final FleetSpec spec;
    private final Readiness readiness;
    private final LogSink log;

    Reload(Fleet fleet, FleetSpec spec, Readiness readiness, LogSink log) {
        this.fleet = fleet;
        this.spec = spec;
        this.readiness = readiness;
        this.log = log;
    }

    ObjectNode run(int parallel, Progress progress) throws Exception {
        int gen = fleet.nextGeneration();
        List<Member> queue = fleet.inService(m -> m.generation() < gen);
        int total = queue.size();
        progress.report("start", 0, total, "replacing " + total + " worker(s) with generation " + gen + ", " + parallel
                + " at a time");
        log.event("reload: replacing " + total + " worker(s) with generation " + gen + ", " + parallel + " at a time");
        Set<Integer> handled = new HashSet<>();
        queue.forEach(m -> handled.add(m.id));
        List<Member> replacements = new ArrayList<>();
        int done = 0;
        while (!queue.isEmpty()) {
            fleet.checkNotStopping("reload");
            List<Member> batch = new ArrayList<>(queue.subList(0, Math.min(parallel, queue.size())));
            queue.subList(0, batch.size()).clear();
            List<Member> fresh = new ArrayList<>();
            List<Set<Integer>> ownPorts = new ArrayList<>();
            for (Member old : batch) {
                ownPorts.add(OwnPorts.of(old.pid));
                Member f = HotSpares.replacement(fleet, gen, old); // a spare: a spare; in rotation: a spare promoted
                fresh.add(f);
                progress.report("spawn", done, total, f.label() + " starting to replace " + old.label());
            }
            long deadline = readiness.deadline();
            List<Member> draining = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                Member old = batch.get(i);
                Member f = fresh.get(i);
                String r = readiness.await(f, deadline, ownPorts.get(i), null);
                if (r == null) {
                    progress.report("drain", done, total, f.label() + " ready; draining " + old.label());
                    fleet.retire(old, spec.drainTimeout(), "replaced by worker " + f.id + " in a reload");
                    draining.add(old);
                } else {
                    fleet.abandon(f);
                    failures.add("new " + f.label() + " " + r);
                }
            }
            for (int i = 0; i < batch.size(); i++) {
                Member old = batch.get(i);
                Member f = fresh.get(i);
                if (!draining.contains(old)) {
                    continue;
                }
                old.gone.get(spec.drainTimeout().plus(Supervisor.KILL_GRACE).toMillis(), TimeUnit.MILLISECONDS);
                if (f.worker.exited().isDone()) { // it listened, then died: it replaced nothing
                    fleet.abandon(f);
                    failures.add("new " + f.label() + " listened, then exited (" + f.worker.exited().join() + ") while "
                            + old.label() + " drained");
                } else {
                    replacements.add(f);
                    done++;
                }
            }
            progress.report("replaced", done, total, done + " of " + total + " replaced");
            if (!failures.isEmpty()) {
                String msg = "reload stopped: " + String.join("; ", failures) + "; the old workers not yet replaced "
                        + "keep serving (" + fleet.servingSummary() + "); now serving: " + fleet.servingList(replacements);
                log.warn(msg);
                throw new Failed(msg);
            }
            // Workers of an older generation restarted by the core's restart policy meanwhile are replaced as well.
            List<Member> more = fleet.inService(m -> m.generation() < gen && !handled.contains(m.id));
            more.forEach(m -> handled.add(m.id));
            queue.addAll(more);
            total += more.size();
        }
        List<String> died = new ArrayList<>();
        for (Member f : replacements) {
            if (f.worker.exited().isDone()) {
                died.add(f.label() + " exited (" + f.worker.exited().join() + ") after its old worker left");
            }
        }
        int replaced = done - died.size();
        ObjectNode data = fleet.serving(replacements);
        String now = fleet.servingList(replacements);
        log.event("reload done: " + replaced + " worker(s) replaced; generation " + gen + " serving; now serving: " + now);
        data.put("replaced", replaced);
        data.put("generation", gen);
        data.put("servingList", now);
        if (!died.isEmpty()) {
            data.put("warning", String.join("; ", died));
        }
        return data;
    }
}
