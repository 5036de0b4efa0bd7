package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;
import static io.jcluster.parity.Common.ok;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Node's test-cluster-disconnect.js: workers each listen on two ports (two here, Node forks eight); both servers
 * answer; {@code Cluster.disconnect()} completes (and every worker has exited); then the same again, to show that
 * everything was cleaned up. Start, test and disconnect each happen twice.
 */
public final class Disconnect {
    private static final int WORKERS = 2;

    public static void main(String[] args) throws Exception {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(25));
            Common.Counted start = Common.mustCall("start", 2);
            Common.Counted test = Common.mustCall("test", 2);
            Common.Counted disconnect = Common.mustCall("disconnect", 2);
            int[] ports = {Common.freePort(), Common.freePort()};
            for (int round = 0; round < 2; round++) {
                List<Worker> workers = startCluster(ports);
                start.call();
                for (int port : ports) {
                    equal(answer(port), "echo", "the answer on port " + port);
                }
                test.call();
                Cluster.disconnect().get(15, TimeUnit.SECONDS);
                disconnect.call();
                for (Worker w : workers) {
                    ok(w.isDead(), "worker " + w.id() + " is dead once disconnect() completed");
                }
                ok(Cluster.workers().isEmpty(), "no workers left after disconnect(): " + Cluster.workers().keySet());
            }
            Common.pass();
        } else {
            int[] ports = {Integer.parseInt(System.getenv("PARITY_PORT_0")), Integer.parseInt(System.getenv("PARITY_PORT_1"))};
            for (int port : ports) {
                Servers.answer("echo").listen("127.0.0.1", port);
            }
        }
    }

    /** Forks the workers; returns once each listens on both ports. */
    private static List<Worker> startCluster(int[] ports) throws Exception {
        List<Worker> workers = new ArrayList<>();
        List<CompletableFuture<Void>> listening = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            Worker w = Cluster.fork(Map.of("PARITY_PORT_0", Integer.toString(ports[0]),
                    "PARITY_PORT_1", Integer.toString(ports[1])));
            CompletableFuture<Void> both = new CompletableFuture<>();
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            w.onListening(address -> {
                if (n.incrementAndGet() == ports.length) {
                    both.complete(null);
                }
            });
            workers.add(w);
            listening.add(both);
        }
        CompletableFuture.allOf(listening.toArray(new CompletableFuture[0])).get(15, TimeUnit.SECONDS);
        return workers;
    }

    private static String answer(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
