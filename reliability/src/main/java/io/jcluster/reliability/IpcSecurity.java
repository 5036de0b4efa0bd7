package io.jcluster.reliability;

import io.jcluster.ipc.Codec;
import io.jcluster.ipc.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Issue item 7: IPC security. The worker of this cluster sleeps before it touches the cluster API, so its IPC
 * socket ({@code w1.sock} in the primary's private directory) is open with nobody on it. Meanwhile this
 * process connects to it as an impostor: with a wrong token, with the worker's real token (read from
 * /proc/PID/environ, as any process of the same user can) but from the wrong pid, with a first frame that is
 * not a Hello, with garbage, and silently. Each must be refused (closed) and logged by the primary; the real
 * worker must still come online and serve; the socket file must be gone once the worker's links are up; the
 * directory must be 0700 and removed when the primary exits.
 */
public final class IpcSecurity {
    public static final long WORKER_SLEEP_MS = 4000;

    private IpcSecurity() {
    }

    record Attempt(String name, byte[] bytes, String expectedLog) { }

    public static Outcome run(Form form) throws Exception {
        Outcome out = new Outcome("7. IPC security");
        Path tmp = Files.createTempDirectory("jcluster-reliability-tmp-");
        int port = Support.freePort();
        ReliabilityApp.Options o = ClusterRun.options(port, 1, "backoff");
        o.workerMode = "sleepy:" + WORKER_SLEEP_MS;
        long me = ProcessHandle.current().pid();
        try (ClusterRun c = ClusterRun.start(o.toArgs(), List.of("-Djava.io.tmpdir=" + tmp), Map.of())) {
            long worker = Long.parseLong(c.await("^EVENT fork 1 (\\d+)", Duration.ofSeconds(30)).group(1));
            long forkedAt = System.nanoTime();
            Path[] found = new Path[1];
            Support.within(Duration.ofSeconds(5), () -> (found[0] = socket(tmp)) != null);
            Path sock = found[0];
            if (sock == null) {
                return out.goal("the worker's IPC socket exists", false, "none under " + tmp);
            }
            Path dir = sock.getParent();
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            out.figure("IPC directory", dir.getFileName() + " " + PosixFilePermissions.toString(perms));
            out.goal("the IPC directory is 0700", perms.equals(PosixFilePermissions.fromString("rwx------")),
                    PosixFilePermissions.toString(perms));

            String token = Procs.environ(worker, "JCLUSTER_TOKEN");
            List<Attempt> attempts = List.of(
                    new Attempt("Hello with a wrong token", frame(new Message.Hello("0".repeat(48), worker,
                            Message.Link.CONTROL)), "from pid " + me + ": wrong token"),
                    new Attempt("Hello with the worker's token from another pid", frame(new Message.Hello(
                            token == null ? "" : token, worker, Message.Link.CONTROL)),
                            "from pid " + me + ": peer pid is not the worker's pid"),
                    new Attempt("Hello with the worker's token on the fd link from another pid", frame(new Message.Hello(
                            token == null ? "" : token, me, Message.Link.FDS)),
                            "from pid " + me + ": peer pid is not the worker's pid"),
                    new Attempt("a first frame that is not Hello", frame(new Message.Ack(1)), "not Hello"),
                    new Attempt("garbage (unknown frame type)", new byte[] {0, 0, 0, 2, 99, 1},
                            "refused an IPC connection to worker 1"));
            SocketChannel squatter = SocketChannel.open(StandardProtocolFamily.UNIX);
            squatter.connect(UnixDomainSocketAddress.of(sock)); // connects and says nothing
            try {
                for (Attempt a : attempts) {
                    String result = attempt(sock, a.bytes());
                    boolean logged = Support.within(Duration.ofSeconds(3), () -> c.output().lines()
                            .anyMatch(l -> l.contains("refused an IPC connection") && l.contains(a.expectedLog())));
                    out.figure("impostor: " + a.name(), result + (logged ? ", logged" : ", NOT logged"));
                    out.goal("refused and logged: " + a.name(), result.startsWith("closed by the primary") && logged,
                            result);
                }
                long attacksMs = Support.millisSince(forkedAt);
                out.figure("impostors done", attacksMs + " ms after the fork (the worker sleeps " + WORKER_SLEEP_MS
                        + " ms)");
                out.goal("the impostors ran before the worker connected", attacksMs < WORKER_SLEEP_MS,
                        attacksMs + " ms");

                boolean online = Support.within(Duration.ofSeconds(30), () -> c.output().contains("EVENT online 1 "));
                boolean listening = Support.within(Duration.ofSeconds(30), () -> !c.listening().isEmpty());
                LoadClient.Result probe = listening
                        ? new LoadClient(LoadClient.Config.of(port, 1, 0, Duration.ofMillis(300))).start().join() : null;
                out.figure("the real worker", (online ? "online" : "NOT online") + ", "
                        + (probe == null ? "not listening" : probe.ok() + " requests served"));
                out.goal("the worker still came online and serves", online && probe != null && probe.ok() > 0
                        && probe.notOk() == 0, probe == null ? "" : probe.byStatus());
                boolean sockGone = Support.within(Duration.ofSeconds(2), () -> !Files.exists(sock));
                out.goal("the socket file is removed once the worker's links are up", sockGone, sock.toString());
                String late = attempt(sock, frame(new Message.Hello(token == null ? "" : token, me, Message.Link.CONTROL)));
                out.figure("connecting after the worker is up", late);
                out.goal("no one can connect once the worker is up", late.startsWith("cannot connect"), late);
            } finally {
                squatter.close();
            }

            long t0 = System.nanoTime();
            c.process().destroy(); // SIGTERM: graceful stop
            Integer status = c.waitFor(Duration.ofSeconds(30));
            out.figure("primary exit after SIGTERM", status + " in " + Support.millisSince(t0) + " ms");
            boolean removed = !Files.exists(dir);
            out.figure("IPC directory after exit", removed ? "removed" : "LEFT: " + Orphans.list(tmp));
            out.row("—", "impostors on the worker's IPC socket (wrong token, wrong pid, not Hello, garbage, silent)",
                    0, "—", "IPC directory " + (removed ? "removed" : "LEFT") + "; primary exit " + status);
            out.goal("the IPC directory is removed on exit", removed, Orphans.list(tmp).toString());
            out.goal("the primary exited with status 0", status != null && status == 0, String.valueOf(status));
        } finally {
            Orphans.deleteTree(tmp);
        }
        return out;
    }

    /** The worker socket under {@code tmp}, or null. */
    static Path socket(Path tmp) {
        try (Stream<Path> s = Files.walk(tmp, 2)) {
            return s.filter(p -> p.getFileName().toString().equals("w1.sock")).findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    static byte[] frame(Message m) {
        ByteBuf b = Unpooled.buffer();
        try {
            Codec.writeFrame(m, b);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            return bytes;
        } finally {
            b.release();
        }
    }

    /** Connects, writes {@code bytes} and reads: what the primary did with the connection. */
    static String attempt(Path sock, byte[] bytes) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(sock));
            } catch (IOException e) {
                return "cannot connect: " + e.getMessage();
            }
            ch.write(ByteBuffer.wrap(bytes));
            ch.configureBlocking(false);
            ByteBuffer in = ByteBuffer.allocate(256);
            List<Byte> got = new ArrayList<>();
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline) {
                int n;
                try {
                    n = ch.read(in);
                } catch (IOException e) {
                    return "closed by the primary (" + e.getMessage() + ")";
                }
                if (n < 0) {
                    return "closed by the primary" + (got.isEmpty() ? "" : " after " + got.size() + " bytes");
                }
                for (int i = 0; i < in.position(); i++) {
                    got.add(in.get(i));
                }
                in.clear();
                Thread.sleep(10);
            }
            return "STILL OPEN after 3 s" + (got.isEmpty() ? "" : " (" + got.size() + " bytes received)");
        } catch (IOException e) {
            return "error: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
