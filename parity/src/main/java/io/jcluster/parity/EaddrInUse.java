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
 * Node's test-cluster-eaddrinuse.js, in a cluster: while the primary holds a port with a server of its own, a
 * worker's listen on it fails with EADDRINUSE; the worker asks the primary to let go, and once it has, listening
 * again succeeds: the failed attempt left nothing confused. Argument: the scheduling policy, {@code rr} or {@code none}.
 */
public final class EaddrInUse {
    public static void main(String[] args) throws IOException {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Cluster.setupPrimary(new ClusterSettings().policy(SchedulingPolicy.parse(args[0])));
            ServerSocket hog = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Common.Counted stop = Common.mustCall("stop-listening");
            Common.Counted listened = Common.mustCall("listened");
            Worker worker = Cluster.fork(Map.of("PARITY_PORT", Integer.toString(hog.getLocalPort())));
            worker.onMessage(m -> {
                switch (m.asText()) {
                    case "stop-listening" -> {
                        stop.call();
                        try {
                            hog.close();
                        } catch (IOException e) {
                            Common.fail("closing the primary's server: " + e);
                        }
                        worker.send("stopped-listening");
                    }
                    case "listened" -> {
                        listened.call();
                        worker.disconnect();
                    }
                    default -> Common.fail("unexpected message " + m);
                }
            });
            worker.onExit(status -> {
                equal(status.code(), 0, "the worker's exit code");
                Common.pass();
            });
        } else {
            int port = Integer.parseInt(System.getenv("PARITY_PORT"));
            Worker self = Cluster.worker();
            Common.Counted error = Common.mustCall("listen error");
            Servers.idle().listen("127.0.0.1", port).whenComplete((address, err) -> {
                if (err == null) {
                    Common.fail("listen on a port the primary holds succeeded: " + address);
                    return;
                }
                error.call();
                Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                Common.ok(e instanceof ListenException, "the listen error is a ListenException: " + e);
                equal(((ListenException) e).code(), "EADDRINUSE", "the listen error's code");
                self.onMessage(m -> {
                    if (m.asText().equals("stopped-listening")) {
                        Servers.idle().listen("127.0.0.1", port).whenComplete((again, err2) -> {
                            if (err2 != null) {
                                Common.fail("listening again after the port was freed: " + err2);
                            }
                            equal(again.getPort(), port, "the port listened on");
                            self.send("listened");
                        });
                    }
                });
                self.send("stop-listening");
            });
        }
    }
}
