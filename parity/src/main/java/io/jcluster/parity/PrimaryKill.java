package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;
import static io.jcluster.parity.Common.ok;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.Worker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Node's test-cluster-primary-kill.js. Without arguments this is the test case: it starts itself with the argument
 * {@code cluster} as a cluster primary, which forks a listening worker, reports its pid, and a second after the
 * worker listens exits 0. The test case checks that exit status and that the worker is gone soon after (Node polls
 * until it is; here within 5 s; jcluster promises a second).
 */
public final class PrimaryKill {
    public static void main(String[] args) throws Exception {
        if (Cluster.isWorker()) {
            Servers.idle().listen("127.0.0.1", 0);
        } else if (args.length > 0 && args[0].equals("cluster")) {
            Worker worker = Cluster.fork();
            System.out.println("WORKER_PID " + worker.pid());
            worker.onListening(address -> new Thread(() -> {
                Common.sleep(1000);
                System.exit(0);
            }).start());
        } else {
            testCase();
        }
    }

    private static void testCase() throws Exception {
        Common.deadline(Duration.ofSeconds(25));
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                PrimaryKill.class.getName(), "cluster"));
        if (Runtime.version().feature() >= 22) {
            cmd.add(1, "--enable-native-access=ALL-UNNAMED"); // a primary of the API loads JNI: said, 25 warns not
        }
        Process primary = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long pid = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(primary.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("[cluster] " + line);
                if (line.startsWith("WORKER_PID ")) {
                    pid = Long.parseLong(line.substring("WORKER_PID ".length()).trim());
                }
            }
        }
        ok(primary.waitFor(15, TimeUnit.SECONDS), "the cluster process ended");
        equal(primary.exitValue(), 0, "the cluster process's exit status");
        ok(pid > 0, "the cluster reported its worker's pid");
        long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Common.isAlive(pid) && System.nanoTime() < gone) {
            Common.sleep(50);
        }
        ok(!Common.isAlive(pid), "worker " + pid + " still alive 5 s after its primary exited");
        Common.pass();
    }
}
