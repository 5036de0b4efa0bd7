package io.jcluster.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SIGTERM of the primary while connections wait at every stage of the RR hand-off, made deterministic by
 * stopping the workers ({@code SIGSTOP}): {@value #CONNECTIONS} connections, each with its request sent, so
 * that some are in the workers' fd links unacknowledged (the window, 64 a worker), some in the primary's
 * pending queue, and the rest in the kernel's accept queue of the listening socket. Then SIGTERM, then
 * {@code SIGCONT} to the workers. Every one of these connections was accepted by the kernel before the signal:
 * each must be answered. (Before the stop served the accept queue, the ones the kernel held were reset when
 * the listener closed, and those handed to a worker that read its Disconnect first came back refused to a
 * closed handle, and were reset too.)
 */
public final class QueuedStop {
    public static final int WORKERS = 2;
    public static final int CONNECTIONS = 300;
    /** The primary's window: fds a worker may hold unacknowledged (the default, which this cluster keeps). */
    static final int WINDOW = new io.jcluster.cluster.ClusterSettings().window();

    private QueuedStop() {
    }

    public static Outcome run(Form form) throws Exception {
        Outcome out = new Outcome("2f. SIGTERM of the primary with connections queued at every stage (workers stopped)");
        int port = Support.freePort();
        try (ClusterRun c = ClusterRun.start(ClusterRun.options(port, WORKERS, "backoff"))) {
            c.awaitListening(WORKERS, Duration.ofSeconds(60));
            Chaos.warmUp(port);
            List<ProcessHandle> workers = c.descendants();
            List<Long> pids = new ArrayList<>(c.listening().values());
            List<Socket> sockets = new ArrayList<>();
            Map<String, Integer> results = new TreeMap<>();
            Integer status;
            long exitMs;
            String stages = "not reached";
            String closedMs = "not reached";
            try {
                for (long pid : pids) {
                    Procs.signal(pid, "STOP");
                }
                for (long pid : pids) {
                    Support.within(Duration.ofSeconds(5), () -> Procs.state(pid) == 'T');
                }
                byte[] request = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket s = new Socket("127.0.0.1", port); // the kernel completes it: the backlog is 511
                    sockets.add(s);
                    s.getOutputStream().write(request);
                }
                // The primary accepts, hands each stopped worker a window, and accepts one batch more into its
                // pending queue: then it pauses, and the rest waits in the kernel's accept queue. Waited for on the
                // listening socket's accept queue (at most ~64 more may be pending: one accept batch).
                boolean paused = Support.within(Duration.ofSeconds(30), () -> {
                    int q = Procs.acceptQueue(port);
                    return q >= 0 && q <= CONNECTIONS - WORKERS * WINDOW - 1;
                });
                int queued = Procs.acceptQueue(port);
                stages = (CONNECTIONS - queued) + " taken by the primary, " + queued + " in the kernel's accept queue"
                        + (paused ? "" : " (the primary had not taken " + (WORKERS * WINDOW + 1) + " within 30 s)");
                long signal = System.nanoTime();
                c.process().destroy(); // SIGTERM
                // The stop takes the accept queue and closes the listener: its LISTEN entry goes.
                boolean closed = Support.within(Duration.ofSeconds(30), () -> Procs.acceptQueue(port) < 0);
                closedMs = closed ? Support.millisSince(signal) + " ms after SIGTERM" : "still open 30 s after SIGTERM";
                for (long pid : pids) {
                    Procs.signal(pid, "CONT");
                }
                long readDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                for (Socket s : sockets) {
                    results.merge(answer(s, readDeadline), 1, Integer::sum);
                }
                status = c.waitFor(Duration.ofSeconds(30));
                exitMs = Support.millisSince(signal);
            } finally {
                for (long pid : pids) {
                    Procs.signal(pid, "CONT"); // whatever happened above: never leave a stopped worker
                }
                for (Socket s : sockets) {
                    s.close();
                }
            }
            int answered = results.getOrDefault("200", 0);
            boolean workersGone = Support.within(Duration.ofSeconds(10),
                    () -> workers.stream().noneMatch(ProcessHandle::isAlive));
            out.figure("connections", CONNECTIONS + ", each with its request, made while both workers were stopped"
                            + " (window 64 a worker: the rest in the primary's pending queue and the kernel's accept queue)")
                    .figure("when SIGTERM was sent", stages)
                    .figure("listening socket closed", closedMs)
                    .figure("answers", results)
                    .figure("primary exit", (status == null ? "still running" : "status " + status) + ", " + exitMs
                            + " ms after SIGTERM");
            out.row(CONNECTIONS + " connections with a request each, queued while both workers were stopped",
                    "SIGTERM of the primary, then SIGCONT of the workers", CONNECTIONS,
                    (CONNECTIONS - answered) + " not answered 200 " + results,
                    (workersGone ? "no worker" : "WORKERS LEFT") + "; primary exit " + status);
            out.goal("every connection the kernel accepted before the signal is answered 200", answered == CONNECTIONS,
                    results.toString());
            out.goal("the primary exited with status 0", status != null && status == 0, String.valueOf(status));
            out.goal("every worker exited", workersGone, workers.toString());
        }
        return out;
    }

    /** "200" (or another status), or what ended the connection without one; reads until {@code deadline} at most. */
    static String answer(Socket s, long deadline) {
        try {
            s.setSoTimeout((int) Math.max(100, (deadline - System.nanoTime()) / 1_000_000));
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            if (head.length < 12) {
                return "closed without an answer";
            }
            String line = new String(head, StandardCharsets.ISO_8859_1);
            in.readAllBytes();
            return line.startsWith("HTTP/1.1 ") ? line.substring(9, 12) : "not HTTP: " + line;
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
