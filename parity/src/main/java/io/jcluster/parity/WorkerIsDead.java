package io.jcluster.parity;

import static io.jcluster.parity.Common.ok;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import java.time.Duration;

/**
 * Node's test-cluster-worker-isdead.js: {@code isDead()} is false right after fork and inside the worker, and true
 * in the exit listener after the primary kills the worker it was asked to.
 */
public final class WorkerIsDead {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted exit = Common.mustCall("exit");
            Worker worker = Cluster.fork();
            ok(!worker.isDead(), "isDead() is false right after fork()");
            worker.onMessage(m -> {
                if (m.asText().equals("readyToDie")) {
                    ok(!worker.isDead(), "isDead() is false while the worker runs");
                    worker.kill();
                }
            });
            worker.onExit(status -> {
                exit.call();
                ok(worker.isDead(), "isDead() is true in the exit listener");
                Common.pass();
            });
        } else {
            ok(!Cluster.worker().isDead(), "isDead() is false inside the worker");
            Cluster.worker().send("readyToDie");
        }
    }
}
