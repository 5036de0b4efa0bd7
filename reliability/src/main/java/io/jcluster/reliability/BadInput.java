package io.jcluster.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Issue item 6: bad HTTP input. First one probe of each kind, each on its own connection, with the status it
 * must get and the connection closed after it: an invalid request line (400), a request line over 8 KiB
 * (414), headers over 16 KiB (431), a declared and a streamed body over 1 MiB (413), a slowloris client
 * sending one byte a second (408 after the headers timeout). Then the latency of well-behaved clients (4
 * keep-alive connections, each paced at one request per 2 ms) is measured alone, and again while bad clients
 * of every kind run at once (32 slowloris connections and loops of the other probes). The workers must stay
 * up and the good clients' p99 within 2× of the baseline.
 */
public final class BadInput {
    public static final int WORKERS = 2;
    public static final int SLOWLORIS = 32;

    private BadInput() {
    }

    /** A bad request and the status it must get. */
    record Probe(String name, int expected, byte[] head, int streamBody) {
        static Probe of(String name, int expected, String head) {
            return new Probe(name, expected, head.getBytes(StandardCharsets.ISO_8859_1), 0);
        }
    }

    static List<Probe> probes() {
        String host = "Host: 127.0.0.1\r\n";
        return List.of(
                Probe.of("invalid request line", 400, "\u0001\u0002 GARBAGE\r\n\r\n"),
                Probe.of("request line over 8 KiB", 414, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\n" + host + "\r\n"),
                Probe.of("headers over 16 KiB", 431, "GET / HTTP/1.1\r\n" + host + "X-Big: " + "b".repeat(20_000) + "\r\n\r\n"),
                Probe.of("Content-Length over 1 MiB", 413, "POST /echo HTTP/1.1\r\n" + host
                        + "Content-Length: 2000000\r\n\r\n" + "c".repeat(1000)),
                new Probe("chunked body over 1 MiB", 413, ("POST /echo HTTP/1.1\r\n" + host
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 1200 * 1024));
    }

    /** What a bad client got: the status (or -1 with what happened) and whether the connection closed after. */
    record Answer(int status, boolean closed, long millis, String detail) { }

    static Answer send(int port, Probe p, int timeoutMs) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.setSoTimeout(timeoutMs);
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
            OutputStream out = s.getOutputStream();
            try {
                out.write(p.head());
                if (p.streamBody() > 0) {
                    byte[] chunk = ("10000\r\n" + "d".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                    for (int sent = 0; sent < p.streamBody(); sent += 0x10000) {
                        out.write(chunk);
                    }
                }
                out.flush();
            } catch (IOException e) {
                // The server may answer and close while we still write: read what it said.
            }
            return read(s, t0);
        } catch (IOException e) {
            return new Answer(-1, false, Support.millisSince(t0), e.toString());
        }
    }

    /** A slowloris request: one byte a second until the server answers or closes. */
    static Answer slowloris(int port, int timeoutMs, java.util.function.BooleanSupplier stop) {
        long t0 = System.nanoTime();
        byte[] head = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1);
        try (Socket s = new Socket()) {
            s.setSoTimeout(1000);
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; Support.millisSince(t0) < timeoutMs && !stop.getAsBoolean(); i++) {
                try {
                    out.write(i < head.length ? head[i] : 's');
                    out.flush();
                } catch (IOException e) {
                    break; // closed by the server: read its answer
                }
                try {
                    int b = in.read();
                    if (b >= 0) {
                        // The answer started: read the rest.
                        return readFrom(s, t0, b);
                    }
                    return new Answer(-1, true, Support.millisSince(t0), "closed without an answer");
                } catch (SocketTimeoutException e) {
                    // a second passed without an answer: send the next byte
                }
            }
            if (stop.getAsBoolean()) {
                return new Answer(0, false, Support.millisSince(t0), "stopped");
            }
            s.setSoTimeout(2000);
            return read(s, t0);
        } catch (IOException e) {
            return new Answer(-1, false, Support.millisSince(t0), e.toString());
        }
    }

    private static Answer read(Socket s, long t0) throws IOException {
        int b;
        try {
            b = s.getInputStream().read();
        } catch (IOException e) {
            return new Answer(-1, false, Support.millisSince(t0), e.toString());
        }
        if (b < 0) {
            return new Answer(-1, true, Support.millisSince(t0), "closed without an answer");
        }
        return readFrom(s, t0, b);
    }

    private static Answer readFrom(Socket s, long t0, int first) throws IOException {
        long ms = Support.millisSince(t0);
        InputStream in = s.getInputStream();
        StringBuilder status = new StringBuilder().append((char) first);
        int b;
        while ((b = in.read()) >= 0 && b != '\n' && status.length() < 200) {
            status.append((char) b);
        }
        int code;
        try {
            code = Integer.parseInt(status.substring(9, 12));
        } catch (RuntimeException e) {
            return new Answer(-1, false, ms, "not a status line: " + status);
        }
        // The connection must close after the answer.
        s.setSoTimeout(3000);
        boolean closed;
        try {
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // drain the rest of the answer
            }
            closed = true;
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (IOException e) {
            closed = true; // reset after the answer: closed too
        }
        return new Answer(code, closed, ms, status.toString().trim());
    }

    public static Outcome run(Form form) throws Exception {
        Outcome out = new Outcome("6. bad HTTP input");
        int port = Support.freePort();
        ReliabilityApp.Options o = ClusterRun.options(port, WORKERS, "backoff");
        o.headersTimeoutMs = form.headersTimeoutMs();
        int headersMs = (int) form.headersTimeout().toMillis();
        try (ClusterRun c = ClusterRun.start(o)) {
            c.awaitListening(WORKERS, Duration.ofSeconds(60));
            Map<Integer, Long> workersBefore = c.listening();
            Chaos.warmUp(port);

            // One probe of each kind.
            boolean probesOk = true;
            for (Probe p : probes()) {
                Answer a = send(port, p, 10_000);
                boolean ok = a.status() == p.expected() && a.closed();
                probesOk &= ok;
                out.figure("probe: " + p.name(), a.status() + (a.closed() ? ", closed" : ", NOT closed")
                        + " (expected " + p.expected() + ")" + (ok ? "" : ": " + a.detail()));
            }
            Answer slow = slowloris(port, headersMs + 10_000, () -> false);
            boolean slowOk = slow.status() == 408 && slow.closed() && slow.millis() >= headersMs - 100
                    && slow.millis() <= headersMs + form.bound(2000, 6000);
            probesOk &= slowOk;
            out.figure("probe: slowloris (1 byte/s)", slow.status() + (slow.closed() ? ", closed" : ", NOT closed")
                    + " after " + slow.millis() + " ms (expected 408 after the " + headersMs + " ms headers timeout)");

            // Latency of good clients, alone and then beside the bad ones.
            LoadClient.Config good = LoadClient.Config.of(port, 4, 0, form.baseline()).pacingMicros(2000);
            LoadClient.Result base = new LoadClient(good).start().join();

            Map<String, LongAdder> answers = new ConcurrentHashMap<>();
            Duration attack = form.attack().compareTo(form.headersTimeout().plusSeconds(3)) < 0
                    ? form.headersTimeout().plusSeconds(3) : form.attack();
            long attackEnd = System.nanoTime() + attack.toNanos();
            java.util.function.BooleanSupplier over = () -> System.nanoTime() > attackEnd;
            List<Thread> bad = new ArrayList<>();
            for (int i = 0; i < SLOWLORIS; i++) {
                bad.add(loop("slowloris-" + i, over, answers, 0, () -> {
                    Answer a = slowloris(port, headersMs + 10_000, over);
                    return a.status() == 0 ? null : tally(a, 408);
                }));
            }
            List<Probe> kinds = probes();
            for (Probe p : kinds) {
                bad.add(loop("bad-" + p.expected(), over, answers, p.streamBody() > 0 ? 200 : 10,
                        () -> tally(send(port, p, 10_000), p.expected())));
            }
            Thread.sleep(Math.min(1000, headersMs / 2)); // let the slowloris connections pile up first
            long goodFor = (attackEnd - System.nanoTime()) / 1_000_000 - 200;
            LoadClient.Result under = new LoadClient(new LoadClient.Config(good.host(), port, 4, 0, "/",
                    Duration.ofMillis(goodFor), Long.MAX_VALUE, 5000, 2000, 1)).start().join();
            for (Thread t : bad) {
                t.join(Math.max(5000, headersMs + 5000L));
            }
            Map<String, Long> tallies = new TreeMap<>();
            answers.forEach((k, v) -> tallies.put(k, v.sum()));
            long unexpected = tallies.entrySet().stream().filter(e -> e.getKey().startsWith("UNEXPECTED"))
                    .mapToLong(Map.Entry::getValue).sum();

            Map<Integer, Long> workersAfter = c.listening();
            boolean noExit = !c.output().contains("EVENT exit");
            long p99Base = base.percentileMicros(0.99);
            long p99Under = under.percentileMicros(0.99);
            out.figure("headers timeout", headersMs + " ms")
                    .figure("good clients", "4 keep-alive connections, 1 request / 2 ms each")
                    .figure("baseline", base.summary())
                    .figure("with bad clients", under.summary())
                    .figure("p99 baseline / with bad clients", p99Base + " us / " + p99Under + " us ("
                            + String.format("%.2f", p99Under / (double) Math.max(1, p99Base)) + "×)")
                    .figure("bad clients", SLOWLORIS + " slowloris + one loop of each probe, " + attack.toSeconds() + " s")
                    .figure("bad requests answered", tallies.toString())
                    .figure("workers before / after", workersBefore + " / " + workersAfter);
            out.row("4 paced keep-alive good clients", SLOWLORIS + " slowloris + a loop of each bad request ("
                            + kinds.size() + " kinds), " + attack.toSeconds() + " s", base.sent() + under.sent(),
                    "good: " + Outcome.causes(under) + "; bad requests not given their status: " + unexpected,
                    (noExit && workersAfter.equals(workersBefore) ? "same workers" : "WORKERS CHANGED")
                            + "; good p99 " + p99Base + " → " + p99Under + " µs");
            out.goal("every probe got its status and the connection closed", probesOk, "");
            out.goal("every bad request of the attack got its status", unexpected == 0, tallies.toString());
            out.goal("the workers stayed up", noExit && workersAfter.equals(workersBefore), workersAfter.toString());
            out.goal("no good request failed", base.notOk() + under.notOk() == 0,
                    Chaos.describe(under.failures()));
            // The long form holds the figure (2× the baseline). On a loaded machine a p99 of microseconds doubles
            // from scheduling alone; what verify asserts is the behaviour: no good client waits on a bad one (a
            // stall would show as the headers timeout, seconds).
            long p99Bound = form.strict() ? 2 * p99Base : Math.max(5 * p99Base, 100_000);
            out.goal(form.strict() ? "good clients' p99 within 2× of baseline"
                            : "good clients' p99 within 5× of baseline or 100 ms (short form: a loaded machine)",
                    p99Under <= p99Bound, p99Base + " -> " + p99Under + " us");
        }
        return out;
    }

    private static String tally(Answer a, int expected) {
        if (a.status() == expected && a.closed()) {
            return expected + "";
        }
        return "UNEXPECTED " + a.status() + (a.closed() ? "" : " not closed") + " for " + expected + ": "
                + a.detail().replaceAll("\\d+", "N");
    }

    private static Thread loop(String name, java.util.function.BooleanSupplier over, Map<String, LongAdder> answers,
                               long pauseMs, java.util.function.Supplier<String> once) {
        Thread t = new Thread(() -> {
            while (!over.getAsBoolean()) {
                String r = once.get();
                if (r != null) {
                    answers.computeIfAbsent(r, k -> new LongAdder()).increment();
                }
                if (pauseMs > 0) {
                    try {
                        Thread.sleep(pauseMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
