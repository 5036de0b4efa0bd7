package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;
import static io.jcluster.parity.Common.ok;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import java.time.Duration;

/**
 * Node's test-cluster-worker-disconnect.js: {@code worker.disconnect()} once the worker listens. The worker's own
 * disconnect listener runs (it exits with 42 to prove it); the primary gets disconnect and exit events on the worker
 * and the cluster, {@code exitedAfterDisconnect} is true, and the process is gone.
 */
public final class WorkerDisconnect {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted clusterDisconnect = Common.mustCall("cluster disconnect");
            Common.Counted clusterExit = Common.mustCall("cluster exit");
            Common.Counted workerDisconnect = Common.mustCall("worker disconnect");
            Common.Counted workerExit = Common.mustCall("worker exit");
            Worker worker = Cluster.fork();
            worker.onListening(address -> worker.disconnect());
            Runnable finish = Common.whenAll(Common::pass, clusterDisconnect, clusterExit, workerDisconnect, workerExit);
            Cluster.onDisconnect(w -> {
                clusterDisconnect.call();
                finish.run();
            });
            Cluster.onExit((w, status) -> {
                clusterExit.call();
                finish.run();
            });
            worker.onDisconnect(() -> {
                workerDisconnect.call();
                equal(worker.exitedAfterDisconnect(), true, "exitedAfterDisconnect at disconnect");
                finish.run();
            });
            worker.onExit(status -> {
                workerExit.call();
                equal(status.code(), 42, "exit code (42: the disconnect listener ran inside the worker)");
                equal(worker.exitedAfterDisconnect(), true, "exitedAfterDisconnect at exit");
                ok(!Common.isAlive(worker.pid()), "the worker process is gone at exit");
                finish.run();
            });
        } else {
            Servers.idle().listen("127.0.0.1", 0);
            Cluster.worker().onDisconnect(() -> System.exit(42));
        }
    }
}
