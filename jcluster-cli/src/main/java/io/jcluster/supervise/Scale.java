package io.jcluster.supervise;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.ExitCode;
import io.jcluster.control.ControlException;
import io.jcluster.logs.LogSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scales to {@code N}, {@code +K} or {@code -K} workers; new ones must become ready, the oldest retire first (drained).
 * Unless forced, a count beyond the machine's {@link Capacity} is refused before any worker starts. A cancel (the
 * client went away) or a stop ends a scale up early: the new workers that listen are kept, the others stopped, and
 * the reply says so in one line.
 */
final class Scale {
    private final Fleet fleet;
    private final FleetSpec spec;
    private final Readiness readiness;
    private final Capacity capacity;
    private final LogSink log;

    Scale(Fleet fleet, FleetSpec spec, Readiness readiness, Capacity capacity, LogSink log) {
        this.fleet = fleet;
        this.spec = spec;
        this.readiness = readiness;
        this.capacity = capacity;
        this.log = log;
    }

    ObjectNode run(String how, boolean force, Progress progress, CompletableFuture<Void> cancel) throws Exception {
        int live = fleet.inService().size();
        int wanted = ScaleSpec.parse(how, fleet.target());
        if (!force) {
            String no = capacity.refusal(live, wanted, fleet.medianRss());
            if (no != null) {
                throw new ControlException("refusing to scale " + fleet.name() + " from " + live + " to " + wanted + ": "
                        + no + "; --force scales anyway", ExitCode.USAGE);
            }
        }
        fleet.target(wanted);
        if (wanted > live) {
            up(live, wanted, progress, CompletableFuture.anyOf(cancel, fleet.stopRequested()));
        } else if (wanted < live) {
            down(live, wanted);
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("from", live);
        data.put("to", wanted);
        return data;
    }

    private void down(int live, int wanted) throws Exception {
        log.event("scale: " + live + " -> " + wanted + " worker(s), retiring the oldest");
        List<CompletableFuture<Void>> drains = new ArrayList<>();
        for (Member v : fleet.inService().subList(0, live - wanted)) {
            drains.add(fleet.retire(v, spec.drainTimeout(), "scaled down"));
        }
        for (CompletableFuture<Void> d : drains) {
            d.get(spec.drainTimeout().plus(Supervisor.KILL_GRACE).toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void up(int live, int wanted, Progress progress, CompletableFuture<Object> cancel) throws Exception {
        int adding = wanted - live;
        log.event("scale: " + live + " -> " + wanted + " worker(s)");
        progress.report("start", 0, adding, "starting " + adding + " worker(s)");
        List<Member> fresh = new ArrayList<>();
        List<Member> ready = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try {
            int gen = fleet.generation();
            for (int i = 0; i < adding && !cancel.isDone(); i++) {
                Member f = fleet.fork(gen);
                fresh.add(f);
                progress.report("spawn", ready.size(), adding, f.label() + " starting (" + fresh.size() + " of " + adding
                        + " started)");
            }
            long deadline = readiness.deadline();
            for (Member f : fresh) {
                if (cancel.isDone()) {
                    break;
                }
                String r = readiness.await(f, deadline, Set.of(), cancel);
                if (r == null) {
                    ready.add(f);
                    progress.report("ready", ready.size(), adding, f.label() + " ready");
                } else if (!cancel.isDone()) {
                    fleet.abandon(f);
                    failures.add(f.label() + " " + r);
                }
            }
        } catch (InterruptedException | ControlException | IllegalStateException e) {
            if (!fleet.stopping()) {
                throw e;
            }
        }
        boolean stopping = fleet.stopping();
        if (cancel.isDone() || stopping) {
            String why = stopping ? fleet.name() + " is stopping" : "the scale command went away (interrupted)";
            List<Member> unready = new ArrayList<>(fresh);
            unready.removeAll(ready);
            String msg = "scale cancelled (" + why + "): " + ready.size() + " of " + adding + " new worker(s) ready and kept"
                    + (stopping ? "" : ", " + unready.size() + " started but not ready stopped, "
                    + (adding - fresh.size()) + " never started");
            if (!stopping) {
                unready.forEach(fleet::abandon);
                fleet.target(live + ready.size());
            }
            log.warn(msg);
            throw new ControlException(msg);
        }
        if (!failures.isEmpty()) {
            fleet.target(fleet.inService().size());
            throw new ControlException("scale up stopped: " + String.join("; ", failures));
        }
    }
}
