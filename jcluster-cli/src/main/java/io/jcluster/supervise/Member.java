package io.jcluster.supervise;

import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.Worker;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The supervisor's record of one worker process: its slot and generation, the moments it came online,
 * listened and exited (as futures operations wait on), why it is leaving, and its last resource sample.
 * Fields change on the supervisor's loop thread only.
 */
final class Member {
    final Worker worker;
    final int id;
    final long pid;
    final Instant forkedAt = Instant.now();
    final long forkedNanos = System.nanoTime();
    final CompletableFuture<Void> online = new CompletableFuture<>();
    final CompletableFuture<Void> listening = new CompletableFuture<>();
    final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    int slot = -1;
    int generation;
    int restarts;
    /** Why it is leaving (drained for a reload, recycled over its memory limit…); null while in service. */
    String retiring;
    long requestLimit;
    ProcStats.Sample sample;
    double cpu = -1;
    int overMemory;

    Member(Worker worker) {
        this.worker = worker;
        this.id = worker.id();
        this.pid = worker.pid();
    }

    boolean inService() {
        return retiring == null && !exit.isDone();
    }

    String label() {
        return "worker " + id + " (pid " + pid + ")";
    }
}
