package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import java.time.Duration;
import java.util.Map;

/**
 * Node's test-cluster-message.js: messages both ways. The worker's message reaches both the worker's and the
 * cluster's message listeners in the primary, once each; the primary's reply reaches the worker, which answers
 * with what it got; then the primary disconnects the worker, which exits 0.
 */
public final class Message {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted onWorker = Common.mustCall("message on the worker", 2);
            Common.Counted onCluster = Common.mustCall("message on the cluster", 2);
            Common.Counted exit = Common.mustCall("exit");
            Worker worker = Cluster.fork();
            Cluster.onMessage((w, m) -> {
                onCluster.call();
                equal(w, worker, "the worker named by the cluster's message event");
            });
            worker.onMessage(m -> {
                int n = onWorker.call();
                if (n == 1) {
                    equal(m.path("cmd").asText(null), "hello", "the worker's first message");
                    equal(m.path("id").asInt(), worker.id(), "the worker's id in its message");
                    worker.send(Map.of("cmd", "reply", "to", worker.id()));
                } else {
                    equal(m.path("cmd").asText(null), "ack", "the worker's second message");
                    equal(m.path("got").path("cmd").asText(null), "reply", "what the worker got");
                    equal(m.path("got").path("to").asInt(), worker.id(), "what the worker got");
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
            Common.Counted got = Common.mustCall("message in the worker");
            self.onMessage(m -> {
                got.call();
                self.send(Map.of("cmd", "ack", "got", m));
            });
            self.send(Map.of("cmd", "hello", "id", self.id()));
        }
    }
}
