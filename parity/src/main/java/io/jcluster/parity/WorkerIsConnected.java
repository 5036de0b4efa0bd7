package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;
import static io.jcluster.parity.Common.ok;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import java.time.Duration;

/**
 * Node's test-cluster-worker-isconnected.js: {@code isConnected()} is true as soon as {@code fork()} returns and
 * inside the worker from its start; in the disconnect listener, on either side, it is already false. The worker
 * asks to be disconnected; it must then exit cleanly (a failed check inside it exits 1).
 */
public final class WorkerIsConnected {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted disconnect = Common.mustCall("disconnect");
            Common.Counted exit = Common.mustCall("exit");
            Worker worker = Cluster.fork();
            ok(worker.isConnected(), "isConnected() is true as soon as fork() returns");
            worker.onDisconnect(() -> {
                disconnect.call();
                ok(!worker.isConnected(), "isConnected() is false in the primary's disconnect listener");
            });
            worker.onMessage(m -> {
                if (m.asText().equals("readyToDisconnect")) {
                    worker.disconnect();
                }
            });
            worker.onExit(status -> {
                exit.call();
                equal(status.code(), 0, "the worker's exit code");
                Common.pass();
            });
        } else {
            Worker self = Cluster.worker();
            ok(self.isConnected(), "isConnected() is true inside the worker from its start");
            self.onDisconnect(() -> {
                ok(!self.isConnected(), "isConnected() is false in the worker's own disconnect listener");
                System.out.println("[worker] disconnect listener: isConnected() false");
            });
            self.send("readyToDisconnect");
        }
    }
}
