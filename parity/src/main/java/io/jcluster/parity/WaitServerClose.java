package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;
import static io.jcluster.parity.Common.ok;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.NetServer;
import io.jcluster.cluster.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Node's test-cluster-worker-wait-server-close.js: a worker with one open connection is disconnected; its server
 * closes only when the client ends that connection, and the worker's disconnect listener runs after the server has
 * closed. The worker exits 0, {@code exitedAfterDisconnect} true.
 */
public final class WaitServerClose {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted exit = Common.mustCall("exit");
            Worker worker = Cluster.fork();
            worker.onListening(address -> {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), address.getPort())) {
                    socket.setSoTimeout(5000);
                    equal(socket.getInputStream().read(), (int) '.', "the worker's greeting");
                    Common.log("got data from the worker; disconnecting it, then ending the connection");
                    worker.disconnect();
                } catch (IOException e) {
                    Common.fail("client: " + e);
                }
            });
            worker.onExit(status -> {
                exit.call();
                equal(status.code(), 0, "the worker's exit code");
                equal(worker.exitedAfterDisconnect(), true, "exitedAfterDisconnect");
                Common.pass();
            });
        } else {
            NetServer server = Servers.idle(".", null);
            server.listen("127.0.0.1", 0);
            Cluster.worker().onDisconnect(() -> {
                // close() on a closing server returns the future of that close: no new close is started here.
                ok(server.close().isDone(), "the server closed before the worker's disconnect event");
                System.out.println("[worker] disconnect after the server closed");
            });
        }
    }
}
