package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;
import static io.jcluster.parity.Common.ok;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.Worker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Node's test-cluster-worker-kill.js: {@code worker.kill("SIGKILL")} once the worker listens. One disconnect and
 * one exit event on the worker and on the cluster; the signal is SIGKILL (code 137 here, 128+9); as in current
 * Node, kill only sends the signal, so {@code exitedAfterDisconnect} is false; the process is gone; the worker
 * is not connected in the disconnect listeners.
 */
public final class WorkerKill {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted clusterDisconnect = Common.mustCall("cluster disconnect");
            Common.Counted clusterExit = Common.mustCall("cluster exit");
            Common.Counted workerDisconnect = Common.mustCall("worker disconnect");
            Common.Counted workerExit = Common.mustCall("worker exit");
            AtomicReference<ExitStatus> clusterStatus = new AtomicReference<>();
            Worker worker = Cluster.fork();
            worker.onListening(address -> worker.kill("SIGKILL"));
            Runnable finish = Common.whenAll(() -> {
                ExitStatus s = clusterStatus.get();
                equal(s.signal(), "SIGKILL", "the cluster's signal");
                equal(s.code(), 137, "the cluster's exit code");
                equal(worker.exitedAfterDisconnect(), false, "exitedAfterDisconnect after kill(\"SIGKILL\")");
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
                equal(status.signal(), "SIGKILL", "the worker's signal");
                equal(status.code(), 137, "the worker's exit code");
                equal(worker.exitedAfterDisconnect(), false, "exitedAfterDisconnect at exit");
                ok(worker.isDead(), "isDead() at exit");
                ok(!Common.isAlive(worker.pid()), "the worker process is gone at exit");
                finish.run();
            });
        } else {
            Servers.idle().listen("127.0.0.1", 0);
        }
    }
}
