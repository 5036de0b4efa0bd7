package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;
import static io.jcluster.parity.Common.ok;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.Worker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Node's test-cluster-worker-exit.js: a listening worker that calls {@code exit(42)}. The primary gets one
 * disconnect and one exit event, on the worker and on the cluster, in either order; code 42 and no signal;
 * {@code exitedAfterDisconnect} false; the process is gone; and in the disconnect listener the worker no longer
 * reads as connected.
 */
public final class WorkerExit {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted clusterDisconnect = Common.mustCall("cluster disconnect");
            Common.Counted clusterExit = Common.mustCall("cluster exit");
            Common.Counted workerDisconnect = Common.mustCall("worker disconnect");
            Common.Counted workerExit = Common.mustCall("worker exit");
            AtomicReference<ExitStatus> clusterStatus = new AtomicReference<>();
            Worker worker = Cluster.fork();
            Runnable finish = Common.whenAll(() -> {
                ExitStatus s = clusterStatus.get();
                equal(s.code(), 42, "the cluster's exit code");
                equal(s.signal(), null, "the cluster's signal");
                equal(worker.exitedAfterDisconnect(), false, "exitedAfterDisconnect");
                Common.pass();
            }, clusterDisconnect, clusterExit, workerDisconnect, workerExit);
            Cluster.onDisconnect(w -> {
                clusterDisconnect.call();
                ok(!w.isConnected(), "isConnected() is false in the cluster's disconnect listener");
                finish.run();
            });
            Cluster.onExit((w, status) -> {
                clusterExit.call();
                clusterStatus.set(status);
                finish.run();
            });
            worker.onDisconnect(() -> {
                workerDisconnect.call();
                ok(!worker.isConnected(), "isConnected() is false in the worker's disconnect listener");
                equal(worker.exitedAfterDisconnect(), false, "exitedAfterDisconnect at disconnect");
                finish.run();
            });
            worker.onExit(status -> {
                workerExit.call();
                equal(status.code(), 42, "the worker's exit code");
                equal(status.signal(), null, "the worker's signal");
                ok(worker.isDead(), "isDead() at exit");
                ok(!Common.isAlive(worker.pid()), "the worker process is gone at exit");
                finish.run();
            });
        } else {
            Servers.idle().listen("127.0.0.1", 0).thenRun(() -> System.exit(42));
        }
    }
}
