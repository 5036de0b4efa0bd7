package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import java.time.Duration;
import java.util.Map;

/**
 * Node's test-cluster-fork-env.js: the environment given to {@code fork(env)} reaches the worker and overrides the
 * primary's own ({@code cluster_test_overwrite} is "old" in the primary's environment, set by the test that runs
 * it); {@code send} returns true inside the worker.
 */
public final class ForkEnv {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            equal(System.getenv("cluster_test_overwrite"), "old", "the primary's own cluster_test_overwrite");
            Common.Counted message = Common.mustCall("message");
            Worker worker = Cluster.fork(Map.of("cluster_test_prop", "custom", "cluster_test_overwrite", "new"));
            worker.onMessage(data -> {
                message.call();
                equal(data.path("prop").asText(null), "custom", "the worker's cluster_test_prop");
                equal(data.path("overwrite").asText(null), "new", "the worker's cluster_test_overwrite");
                Common.pass();
            });
        } else {
            Map<String, String> env = new java.util.HashMap<>();
            env.put("prop", System.getenv("cluster_test_prop"));
            env.put("overwrite", System.getenv("cluster_test_overwrite"));
            equal(Cluster.worker().send(env), true, "send() inside the worker");
        }
    }
}
