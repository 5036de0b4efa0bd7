package io.jcluster.supervise;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.logs.LogSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Not graceful: a new generation is started all at once; once it is ready (or the ready timeout passed) every old
 * worker is killed without draining. If no new worker becomes ready the old ones keep serving.
 */
final class Restart {
    private final Fleet fleet;
    private final Readiness readiness;
    private final LogSink log;

    Restart(Fleet fleet, Readiness readiness, LogSink log) {
        this.fleet = fleet;
        this.readiness = readiness;
        this.log = log;
    }

    ObjectNode run() throws Exception {
        int gen = fleet.nextGeneration();
        List<Member> old = fleet.inService(m -> true); // the hot spares too
        log.event("restart: starting " + old.size() + " new worker(s) of generation " + gen + ", then killing the old");
        List<Member> fresh = new ArrayList<>();
        for (Member o : old) {
            fresh.add(HotSpares.forkLike(fleet, gen, o));
        }
        long deadline = readiness.deadline();
        List<Member> ready = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Member f : fresh) {
            String r = readiness.await(f, deadline, Set.of(), null); // the old ones still hold their own ports
            if (r == null) {
                ready.add(f);
            } else {
                fleet.abandon(f);
                failures.add(f.label() + " " + r);
            }
        }
        if (ready.isEmpty() && !old.isEmpty()) {
            String msg = "restart stopped: no new worker became ready (" + String.join("; ", failures)
                    + "); the old workers keep serving; now serving: " + fleet.servingList(List.of());
            log.warn(msg);
            throw new Reload.Failed(msg);
        }
        List<CompletableFuture<Void>> kills = new ArrayList<>();
        for (Member m : old) {
            kills.add(fleet.retire(m, Duration.ZERO, "killed by a restart"));
        }
        for (CompletableFuture<Void> k : kills) {
            k.get(Supervisor.KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
        List<Member> running = new ArrayList<>();
        for (Member f : ready) {
            if (f.worker.exited().isDone()) {
                failures.add(f.label() + " exited (" + f.worker.exited().join() + ") after it was ready");
            } else {
                running.add(f);
            }
        }
        ObjectNode data = fleet.serving(running);
        String now = fleet.servingList(running);
        data.put("restarted", old.size());
        data.put("ready", running.size());
        data.put("generation", gen);
        data.put("servingList", now);
        if (!failures.isEmpty()) {
            data.put("warning", String.join("; ", failures));
        }
        log.event("restart done: " + running.size() + " of " + fresh.size() + " new worker(s) ready; now serving: " + now);
        return data;
    }
}
