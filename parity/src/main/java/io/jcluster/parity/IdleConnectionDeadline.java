package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;
import static io.jcluster.parity.Common.ok;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The case beside Node's test-cluster-worker-kill.js: a worker holding one idle raw TCP connection (whose
 * client never closes it) is stopped with {@code worker.kill()} (argument {@code kill}) or {@code worker.disconnect()}
 * ({@code disconnect}). Node's kill sends SIGTERM and the worker dies by it; jcluster drains first, but never past
 * the primary's {@code shutdownTimeout} (2 s here). So: the worker is gone within that deadline plus a margin;
 * after kill it died as if by SIGTERM (code 143) with {@code exitedAfterDisconnect} false; after disconnect
 * {@code exitedAfterDisconnect} is true.
 */
public final class IdleConnectionDeadline {
    private static final Duration DRAIN = Duration.ofSeconds(2);
    private static final Duration MARGIN = Duration.ofSeconds(3);

    public static void main(String[] args) throws Exception {
        if (Cluster.isPrimary()) {
            boolean kill = args[0].equals("kill");
            Common.deadline(Duration.ofSeconds(15));
            Cluster.setupPrimary(new ClusterSettings().shutdownTimeout(DRAIN));
            Common.Counted exit = Common.mustCall("worker exit");
            AtomicReference<Socket> client = new AtomicReference<>();
            AtomicLong stoppedAt = new AtomicLong();
            Worker worker = Cluster.fork();
            worker.onListening(address -> {
                try {
                    client.set(new Socket(InetAddress.getLoopbackAddress(), address.getPort()));
                } catch (IOException e) {
                    Common.fail("could not connect: " + e);
                }
            });
            worker.onMessage(m -> {
                if (m.asText().equals("connected")) {
                    Common.log((kill ? "kill()" : "disconnect()") + " with one idle connection open");
                    stoppedAt.set(System.nanoTime());
                    if (kill) {
                        worker.kill();
                    } else {
                        worker.disconnect();
                    }
                }
            });
            worker.onExit(status -> {
                exit.call();
                Duration took = Duration.ofNanos(System.nanoTime() - stoppedAt.get());
                Common.log("exited with " + status + " (code " + status.code() + ") " + took.toMillis() + " ms after "
                        + (kill ? "kill()" : "disconnect()"));
                ok(took.compareTo(DRAIN.plus(MARGIN)) < 0, "the worker outlived the drain deadline of "
                        + DRAIN.toMillis() + " ms by more than " + MARGIN.toMillis() + " ms: " + took.toMillis() + " ms");
                if (kill) {
                    equal(status.signal(), "SIGTERM", "the signal after kill()");
                    equal(status.code(), 143, "the exit code after kill()");
                    equal(worker.exitedAfterDisconnect(), false, "exitedAfterDisconnect after kill()");
                } else {
                    equal(worker.exitedAfterDisconnect(), true, "exitedAfterDisconnect after disconnect()");
                }
                try {
                    client.get().close();
                } catch (IOException e) {
                    // the test is over
                }
                Common.pass();
            });
        } else {
            Worker self = Cluster.worker();
            Servers.idle(null, ch -> self.send("connected")).listen("127.0.0.1", 0);
        }
    }
}
