package io.jcluster.reliability;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A real HTTP/1.1 load client for 127.0.0.1: a fixed number of connections, each a thread with a blocking
 * {@link Socket}, bounded in time (and optionally in requests). Keep-alive connections send request after
 * request on one socket; {@code Connection: close} connections open a new socket per request.
 *
 * <p>It counts every request sent, every response (by status) and every error, and keeps each error as a
 * {@link Failure} with the connection's local port, when the connection was made, at which phase it failed
 * and how many response bytes had arrived: a scenario decides afterwards which failures were on connections
 * a killed worker held (the chaos test matches the ports) and which were on connections made after a
 * signal (the SIGTERM test matches the times). The client never retries: a failure is counted as it is.
 */
public final class LoadClient implements AutoCloseable {

    /** What to run. {@code pacingMicros} > 0 spaces each connection's requests (for latency baselines). */
    public record Config(String host, int port, int keepAliveConnections, int closeConnections, String path,
                         Duration duration, long maxRequests, int readTimeoutMs, long pacingMicros,
                         int sourceAddresses) {
        public static Config of(int port, int keepAlive, int close, Duration duration) {
            return new Config("127.0.0.1", port, keepAlive, close, "/", duration, Long.MAX_VALUE, 5000, 0, 1);
        }

        public Config path(String p) {
            return new Config(host, port, keepAliveConnections, closeConnections, p, duration, maxRequests,
                    readTimeoutMs, pacingMicros, sourceAddresses);
        }

        public Config maxRequests(long n) {
            return new Config(host, port, keepAliveConnections, closeConnections, path, duration, n,
                    readTimeoutMs, pacingMicros, sourceAddresses);
        }

        public Config pacingMicros(long us) {
            return new Config(host, port, keepAliveConnections, closeConnections, path, duration, maxRequests,
                    readTimeoutMs, us, sourceAddresses);
        }

        public Config readTimeoutMs(int ms) {
            return new Config(host, port, keepAliveConnections, closeConnections, path, duration, maxRequests,
                    ms, pacingMicros, sourceAddresses);
        }

        /** Spread new connections over source addresses 127.0.0.1 … 127.0.0.N (more ephemeral ports). */
        public Config sourceAddresses(int n) {
            return new Config(host, port, keepAliveConnections, closeConnections, path, duration, maxRequests,
                    readTimeoutMs, pacingMicros, n);
        }
    }

    /** Where in a request's life it failed. */
    public enum Phase {
        /** connect() failed (refused, reset, no route). */
        CONNECT,
        /** Writing the request failed. */
        WRITE,
        /** Sent, then the connection ended or timed out before any response byte. */
        NO_RESPONSE,
        /** Part of a response arrived, then the connection ended or timed out. */
        PARTIAL
    }

    /**
     * One failed request. Times are System.nanoTime; {@code connectNanos} is when its connection was
     * established (0 for a failed connect); {@code requestsBefore} counts the answered requests on the same
     * connection before it (0: the connection's first request).
     */
    public record Failure(long connectNanos, long failNanos, int localPort, String source, boolean keepAlive,
                          int requestsBefore, Phase phase, int bytesReceived, String error) {
        public boolean newConnection() {
            return requestsBefore == 0;
        }
    }

    private final Config config;
    private final LongAdder sent = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final LongAdder serverClosedKeepAlive = new LongAdder();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<long[]> latencyBuffers = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong budget;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;
    private long startNanos;
    private long endNanos;
    private final byte[] keepAliveRequest;
    private final byte[] closeRequest;

    public LoadClient(Config config) {
        this.config = config;
        this.budget = new AtomicLong(config.maxRequests());
        String host = config.host() + ":" + config.port();
        keepAliveRequest = ("GET " + config.path() + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        closeRequest = ("GET " + config.path() + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Starts every connection's thread; returns at once. */
    public LoadClient start() {
        startNanos = System.nanoTime();
        long deadline = startNanos + config.duration().toNanos();
        int n = 0;
        for (int i = 0; i < config.keepAliveConnections(); i++) {
            threads.add(thread(true, deadline, n++));
        }
        for (int i = 0; i < config.closeConnections(); i++) {
            threads.add(thread(false, deadline, n++));
        }
        threads.forEach(Thread::start);
        return this;
    }

    private Thread thread(boolean keepAlive, long deadline, int index) {
        Thread t = new Thread(null, () -> run(keepAlive, deadline, index), "load-" + (keepAlive ? "ka-" : "close-") + index,
                256 * 1024);
        t.setDaemon(true);
        return t;
    }

    /** Stops every connection after its current request. */
    public void stop() {
        stopped = true;
    }

    /** Waits for every connection to finish (the duration elapsed, the budget spent, or stop()). */
    public Result join() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
        endNanos = System.nanoTime();
        return result();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        join();
    }

    // ---- one connection ----

    private void run(boolean keepAlive, long deadline, int index) {
        LoadConnection conn = null;
        long[] lat = new long[1024];
        int nLat = 0;
        long next = System.nanoTime();
        int sourceIndex = index;
        try {
            while (!stopped && System.nanoTime() < deadline) {
                if (config.pacingMicros() > 0) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    next += config.pacingMicros() * 1000;
                }
                if (budget.getAndDecrement() <= 0) {
                    break;
                }
                if (conn == null) {
                    String source = "127.0.0." + (1 + (sourceIndex++ % Math.max(1, config.sourceAddresses())));
                    try {
                        conn = LoadConnection.open(config, source);
                        connections.increment();
                    } catch (IOException e) {
                        failures.add(new Failure(0, System.nanoTime(), 0, source, keepAlive, 0, Phase.CONNECT, 0,
                                e.toString()));
                        Thread.sleep(5); // refused: do not spin
                        continue;
                    }
                }
                long t0 = System.nanoTime();
                sent.increment();
                LoadConnection.Answer r;
                try {
                    r = conn.exchange(keepAlive ? keepAliveRequest : closeRequest);
                } catch (LoadConnection.RequestFailed f) {
                    failures.add(new Failure(conn.connectNanos, System.nanoTime(), conn.localPort, conn.source,
                            keepAlive, conn.answered, f.phase, f.bytes, String.valueOf(f.getCause())));
                    conn.close();
                    conn = null;
                    continue;
                }
                long t1 = System.nanoTime();
                conn.answered++;
                statuses.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
                if (r.status() >= 200 && r.status() < 300) {
                    ok.increment();
                    if (nLat == lat.length) {
                        lat = Arrays.copyOf(lat, lat.length * 2);
                    }
                    lat[nLat++] = t1 - t0;
                }
                if (!keepAlive || r.close()) {
                    if (keepAlive) {
                        serverClosedKeepAlive.increment();
                    }
                    conn.close();
                    conn = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (conn != null) {
                conn.close();
            }
            latencyBuffers.add(Arrays.copyOf(lat, nLat));
        }
    }

    // ---- results ----

    /** What a run did. Latencies are of answered 2xx requests, in microseconds. */
    public record Result(long sent, long ok, long failed, long connectFailed, long connections, long serverClosedKeepAlive,
                         Map<Integer, Long> statuses, List<Failure> failures, long[] latenciesMicros,
                         double seconds) {
        /** The {@code q}-quantile (0..1) of the latencies in microseconds; 0 when there are none. */
        public long percentileMicros(double q) {
            if (latenciesMicros.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(q * latenciesMicros.length) - 1;
            return latenciesMicros[Math.max(0, Math.min(latenciesMicros.length - 1, i))];
        }

        public long non2xx() {
            return statuses.entrySet().stream().filter(e -> e.getKey() < 200 || e.getKey() >= 300)
                    .mapToLong(Map.Entry::getValue).sum();
        }

        /**
         * Every request that did not succeed: socket errors, failed connects and answers other than 2xx (a
         * regression answering 502 or 503 is a failure like a reset).
         */
        public long notOk() {
            return failed + connectFailed + non2xx();
        }

        /** The answers by status, then the socket errors, e.g. {@code {200=5120, 503=2}, 1 error, 0 connect failures}. */
        public String byStatus() {
            return statuses + ", " + failed + (failed == 1 ? " error" : " errors") + ", " + connectFailed
                    + " connect failures";
        }

        public double rate() {
            return seconds > 0 ? ok / seconds : 0;
        }

        public String summary() {
            return String.format("sent %d, ok %d, failed %d, non-2xx %d, connect failures %d, connections %d, %.0f req/s, "
                    + "p50 %d us, p99 %d us", sent, ok, failed, non2xx(), connectFailed, connections, rate(),
                    percentileMicros(0.5), percentileMicros(0.99));
        }
    }

    private Result result() {
        long total = 0;
        synchronized (latencyBuffers) {
            for (long[] l : latencyBuffers) {
                total += l.length;
            }
        }
        long[] all = new long[(int) total];
        int i = 0;
        synchronized (latencyBuffers) {
            for (long[] l : latencyBuffers) {
                for (long v : l) {
                    all[i++] = v / 1000;
                }
            }
        }
        Arrays.sort(all);
        Map<Integer, Long> st = new TreeMap<>();
        statuses.forEach((k, v) -> st.put(k, v.sum()));
        List<Failure> f;
        synchronized (failures) {
            f = List.copyOf(failures);
        }
        long connectFailed = f.stream().filter(x -> x.phase() == Phase.CONNECT).count();
        return new Result(sent.sum(), ok.sum(), f.size() - connectFailed, connectFailed, connections.sum(),
                serverClosedKeepAlive.sum(), st, f, all,
                (endNanos - startNanos) / 1e9);
    }

    /** Live counters while running. */
    public long sentSoFar() {
        return sent.sum();
    }

    public long okSoFar() {
        return ok.sum();
    }

    public int failuresSoFar() {
        return failures.size();
    }

    static boolean isTimeout(Failure f) {
        return f.error().contains(SocketTimeoutException.class.getName());
    }

    static boolean isRefused(Failure f) {
        return f.phase() == Phase.CONNECT && f.error().contains(ConnectException.class.getName());
    }
}
