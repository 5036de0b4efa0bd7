package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.ListenException;
import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.cluster.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * Node's test-cluster-shared-handle-bind-error.js: under the NONE policy (the primary binds and shares the socket)
 * a port the primary already holds with a server of its own cannot be bound; the worker's listen fails with
 * EADDRINUSE, the worker disconnects itself, and it exits with 0.
 */
public final class SharedHandleBindError {
    public static void main(String[] args) throws IOException {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Cluster.setupPrimary(new ClusterSettings().policy(SchedulingPolicy.NONE));
            ServerSocket hog = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Common.Counted exit = Common.mustCall("exit");
            Worker worker = Cluster.fork(Map.of("PARITY_PORT", Integer.toString(hog.getLocalPort())));
            worker.onExit(status -> {
                exit.call();
                equal(status.code(), 0, "the worker's exit code");
                try {
                    hog.close();
                } catch (IOException e) {
                    Common.fail("closing the primary's server: " + e);
                }
                Common.pass();
            });
        } else {
            int port = Integer.parseInt(System.getenv("PARITY_PORT"));
            Servers.idle().listen("127.0.0.1", port).whenComplete((address, err) -> {
                if (err == null) {
                    Common.fail("listen should have failed, but listens on " + address);
                    return;
                }
                Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                Common.ok(e instanceof ListenException, "the listen error is a ListenException: " + e);
                equal(((ListenException) e).code(), "EADDRINUSE", "the listen error's code");
                Cluster.worker().disconnect();
            });
        }
    }
}
