package io.jcluster.supervise;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.logs.LogSink;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reload as nginx and Envoy hand over: the new generation starts beside the old one, {@code parallel} replacements
 * booting at a time (oldest worker first; each keeps the instance number of the worker it replaces), and each serves
 * beside the old workers from the moment it is ready ({@link Readiness}). The old workers leave (drained, killed at
 * the drain deadline) only once every replacement is ready. A replacement that exits, or is not ready in time, rolls
 * the reload back: it is abandoned (killed, its slot not restarted), the replacements already serving are drained and
 * stopped, and the old generation serves on, untouched. So one generation serves after a reload, whichever way it
 * ends; while one runs, the cluster has up to twice its workers. A replacement counts as replaced only when it still
 * runs once its old worker has gone; the reply lists what serves.
 */
final class Reload {
    /** A reload (or restart) that stopped; the message says what serves now. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    private static final String ROLLED_BACK = "rolled back: the reload failed";

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
        String plan = "replacing " + total + " worker(s) with generation " + gen + ", " + parallel + " starting at a "
                + "time; the old ones leave once every new one is ready";
        progress.report("start", 0, total, plan);
        log.event("reload: " + plan);
        Set<Integer> handled = new HashSet<>();
        queue.forEach(m -> handled.add(m.id));
        List<Member> olds = new ArrayList<>();
        List<Member> fresh = new ArrayList<>(); // fresh.get(i) replaces olds.get(i), ready
        while (!queue.isEmpty()) {
            fleet.checkNotStopping("reload"); // a stop takes every worker, old and new: nothing to roll back
            List<Member> batch = new ArrayList<>(queue.subList(0, Math.min(parallel, queue.size())));
            queue.subList(0, batch.size()).clear();
            List<Member> starting = new ArrayList<>();
            List<Set<Integer>> ownPorts = new ArrayList<>();
            for (Member old : batch) {
                ownPorts.add(OwnPorts.of(old.pid));
                Member f = HotSpares.replacement(fleet, gen, old); // a spare: a spare; in rotation: a spare promoted
                starting.add(f);
                progress.report("spawn", fresh.size(), total, f.label() + " starting to replace " + old.label());
            }
            long deadline = readiness.deadline();
            List<String> failures = new ArrayList<>();
            List<Member> failed = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                Member old = batch.get(i);
                Member f = starting.get(i);
                String r = readiness.await(f, deadline, ownPorts.get(i), null);
                if (r == null) {
                    olds.add(old);
                    fresh.add(f);
                    progress.report("ready", fresh.size(), total, f.label() + " ready, serving beside " + old.label());
                } else {
                    fleet.abandon(f);
                    failed.add(f);
                    failures.add("new " + f.label() + " " + r);
                }
            }
            if (!failures.isEmpty()) {
                throw rollBack(gen, failures, failed, progress, total);
            }
            // Workers of an older generation restarted by the core's restart policy meanwhile are replaced as well.
            List<Member> more = fleet.inService(m -> m.generation() < gen && !handled.contains(m.id));
            more.forEach(m -> handled.add(m.id));
            queue.addAll(more);
            total += more.size();
        }
        fleet.checkNotStopping("reload");
        progress.report("drain", fresh.size(), total, "every new worker is ready; draining the " + olds.size()
                + " old one(s)");
        for (int i = 0; i < olds.size(); i++) {
            fleet.retire(olds.get(i), spec.drainTimeout(), "replaced by worker " + fresh.get(i).id + " in a reload");
        }
        List<Member> replacements = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < olds.size(); i++) {
            Member old = olds.get(i);
            Member f = fresh.get(i);
            old.gone.get(spec.drainTimeout().plus(Supervisor.KILL_GRACE).toMillis(), TimeUnit.MILLISECONDS);
            if (f.worker.exited().isDone()) { // it listened, then died: it replaced nothing
                fleet.abandon(f);
                failures.add("new " + f.label() + " listened, then exited (" + f.worker.exited().join() + ") while "
                        + old.label() + " drained");
            } else {
                replacements.add(f);
            }
        }
        progress.report("replaced", replacements.size(), total, replacements.size() + " of " + total + " replaced");
        if (!failures.isEmpty()) {
            String msg = "reload stopped: " + String.join("; ", failures) + "; the old workers had left: what serves "
                    + "is generation " + gen + " (" + fleet.servingSummary() + "); now serving: "
                    + fleet.servingList(replacements);
            log.warn(msg);
            throw new Failed(msg);
        }
        List<String> died = new ArrayList<>();
        for (Member f : replacements) {
            if (f.worker.exited().isDone()) {
                died.add(f.label() + " exited (" + f.worker.exited().join() + ") after its old worker left");
            }
        }
        int replaced = replacements.size() - died.size();
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

    /**
     * The rollback: every worker of generation {@code gen} in service (the replacements that were ready, and any the
     * restart policy started in their slots) is drained and stopped, its slot never restarted; returns the failure,
     * once they and the {@code failed} replacements (abandoned: killed) have gone, saying what serves: the old
     * generation, as it was.
     */
    private Failed rollBack(int gen, List<String> failures, List<Member> failed, Progress progress, int total)
            throws Exception {
        List<Member> back = fleet.inService(m -> m.generation() == gen);
        String why = String.join("; ", failures);
        progress.report("rollback", 0, total, "rolling back (" + why + "): draining " + back.size()
                + " new worker(s) of generation " + gen);
        log.warn("reload: rolling back (" + why + "): draining " + back.size() + " new worker(s) of generation " + gen);
        for (Member m : back) {
            m.worker.cancelRestarts();
            fleet.retire(m, spec.drainTimeout(), ROLLED_BACK);
        }
        List<String> labels = new ArrayList<>();
        for (Member m : back) {
            m.gone.get(spec.drainTimeout().plus(Supervisor.KILL_GRACE).toMillis(), TimeUnit.MILLISECONDS);
            labels.add("worker " + m.id);
        }
        for (Member f : failed) {
            f.gone.get(Supervisor.KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
        String undone = back.isEmpty() ? "no new worker was serving"
                : back.size() + " new worker(s) of generation " + gen + " drained and stopped (" + String.join(", ", labels) + ")";
        String msg = "reload stopped: " + why + "; rolled back: " + undone + "; the old workers keep serving ("
                + fleet.servingSummary() + "); now serving: " + fleet.servingList(List.of());
        log.warn(msg);
        return new Failed(msg);
    }
}
