package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import java.time.Duration;

/**
 * Node's test-cluster-worker-events.js (its message part): a message sent the moment {@code fork()} returns is
 * accepted ({@code send} returns true) and delivered once the worker is up, which proves it by exiting with 2.
 * The worker also checks that it sees the message once, with the content sent.
 */
public final class WorkerEvents {
    static final int OK = 2;

    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted exit = Common.mustCall("exit");
            Worker worker = Cluster.fork();
            worker.onExit(status -> {
                exit.call();
                equal(status.code(), OK, "the worker's exit code (2: it got the message)");
                Common.pass();
            });
            if (!worker.send("SOME MESSAGE")) {
                Common.fail("send() right after fork() returned false: the message is dropped");
            }
        } else {
            Common.Counted got = Common.mustCall("message in the worker");
            Cluster.worker().onMessage(m -> {
                got.call();
                equal(m.asText(), "SOME MESSAGE", "the message");
                System.exit(OK);
            });
        }
    }
}
