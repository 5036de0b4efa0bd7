package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import java.time.Duration;

/**
 * Node's test-cluster-worker-death.js: a worker that exits by itself with 42 reports code 42 and no signal, to its
 * own exit listener and to the cluster's, which gets the same worker.
 */
public final class WorkerDeath {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted workerExit = Common.mustCall("worker exit");
            Common.Counted clusterExit = Common.mustCall("cluster exit");
            Worker worker = Cluster.fork();
            worker.onExit(status -> {
                workerExit.call();
                equal(status.code(), 42, "exit code");
                equal(status.signal(), null, "signal");
            });
            Cluster.onExit((w, status) -> {
                clusterExit.call();
                equal(w, worker, "the cluster's exit event names the forked worker");
                Common.pass();
            });
        } else {
            System.exit(42);
        }
    }
}
