package io.jcluster.supervise;

import io.jcluster.cluster.Worker;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The coordinator's notes on one worker: its lifecycle is the core's ({@link Worker#state()}, the futures
 * {@link Worker#online()}, {@link Worker#listening()}, {@link Worker#exited()}); what is kept here is only what
 * the core does not know: why the coordinator took it out of service, how often its slot was restarted, its
 * request limit and its last resource sample.
 */
final class Member {
    final Worker worker;
    final int id;
    final long pid;
    final Instant forkedAt = Instant.now();
    /** How many times the core restarted this worker's slot before it (0 for a fresh fork). */
    final int restarts;
    /** Its max-requests limit (0: none), drawn at fork. */
    final long requestLimit;
    /** Completes once the fleet has recorded its first listen (logged it, noted the address). */
    final CompletableFuture<Void> listened = new CompletableFuture<>();
    /** Completes once the fleet has recorded the exit (logged it, taken the member out). */
    final CompletableFuture<Void> gone = new CompletableFuture<>();
    /** Why the coordinator takes it out of service (drained for a reload, recycled…); null while it serves. */
    volatile String leaving;
    volatile ProcStats.Sample sample;
    volatile double cpu = -1;
    /** Its request latency over the last seconds, sampled with the resources. */
    final LatencyWindow latency = new LatencyWindow();

    /** Started as a hot spare; cleared once its promotion was logged ({@link Fleet#notePromotions}). */
    volatile boolean wasSpare;

    Member(Worker worker, int restarts, long requestLimit) {
        this.wasSpare = worker.isSpare();
        this.worker = worker;
        this.id = worker.id();
        this.pid = worker.pid();
        this.restarts = restarts;
        this.requestLimit = requestLimit;
    }

    int slot() {
        return worker.slot();
    }

    int generation() {
        return worker.generation();
    }

    /** Its instance number ({@value Fleet#ENV_INSTANCE}), or -1. */
    int instance() {
        String v = worker.forkEnv().get(Fleet.ENV_INSTANCE);
        return v == null ? -1 : Integer.parseInt(v);
    }

    /** A hot spare: listening (or booting), out of rotation until promoted. */
    boolean spare() {
        return worker.isSpare();
    }

    boolean inService() {
        return leaving == null && !worker.exited().isDone();
    }

    String label() {
        return "worker " + id + " (pid " + pid + ")";
    }
}
