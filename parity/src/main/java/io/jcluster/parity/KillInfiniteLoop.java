package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.Worker;
import java.time.Duration;

/**
 * Node's test-cluster-kill-infinite-loop.js: a worker whose main spins forever gets SIGTERM from outside (Node's
 * {@code worker.process.kill()}) as soon as it is online; it dies by SIGTERM (code 143 here), whatever it was
 * doing. With argument {@code api} the signal comes from {@code worker.kill()} instead, which in current Node
 * sends the same signal and nothing more.
 */
public final class KillInfiniteLoop {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            boolean api = args.length > 0 && args[0].equals("api");
            Common.deadline(Duration.ofSeconds(25));
            Cluster.setupPrimary(new ClusterSettings().shutdownTimeout(Duration.ofSeconds(2)));
            Common.Counted online = Common.mustCall("online");
            Common.Counted exit = Common.mustCall("exit");
            Worker worker = Cluster.fork();
            worker.onOnline(() -> {
                online.call();
                if (api) {
                    worker.kill();
                } else {
                    ProcessHandle.of(worker.pid()).ifPresent(ProcessHandle::destroy); // SIGTERM
                }
            });
            worker.onExit(status -> {
                exit.call();
                equal(status.signal(), "SIGTERM", "the signal");
                equal(status.code(), 143, "the exit code");
                equal(worker.exitedAfterDisconnect(), false, "exitedAfterDisconnect");
                Common.pass();
            });
        } else {
            long spins = 0;
            while (true) {
                spins++;
                if (spins == Long.MAX_VALUE) {
                    System.out.println("unreachable");
                }
            }
        }
    }
}
