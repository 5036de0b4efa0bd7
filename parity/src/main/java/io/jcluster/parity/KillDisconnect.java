package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import java.time.Duration;
import java.util.Map;

/**
 * Node's test-cluster-kill-disconnect.js: a worker that ends itself, with its own {@code disconnect()} or with its
 * own {@code kill()}, is reported by the primary with {@code exitedAfterDisconnect} true, both in the disconnect
 * listener and in the exit listener, whichever comes first (the disconnect may come after the exit).
 */
public final class KillDisconnect {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted exits = Common.mustCall("exit", 2);
            Common.Counted disconnects = Common.mustCall("disconnect", 2);
            Runnable finish = Common.whenAll(Common::pass, exits, disconnects);
            for (String action : new String[] {"disconnect", "kill"}) {
                Worker worker = Cluster.fork(Map.of("action", action));
                worker.onDisconnect(() -> {
                    disconnects.call();
                    equal(worker.exitedAfterDisconnect(), true, "exitedAfterDisconnect at disconnect, worker " + action);
                    finish.run();
                });
                worker.onExit(status -> {
                    exits.call();
                    Common.log("the worker that called its own " + action + "() exited with " + status);
                    equal(worker.exitedAfterDisconnect(), true, "exitedAfterDisconnect at exit, worker " + action);
                    finish.run();
                });
            }
        } else {
            Worker self = Cluster.worker();
            if (System.getenv("action").equals("kill")) {
                self.kill();
            } else {
                self.disconnect();
            }
        }
    }
}
