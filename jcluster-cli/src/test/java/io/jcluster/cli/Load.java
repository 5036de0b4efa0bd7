package io.jcluster.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded load on a local port: a few threads each sending GETs, a new connection per request as repeated
 * curl does, until stopped (or a hard cap of requests or time). Counts answers by status and keeps failures.
 */
final class Load implements AutoCloseable {
    static final long MAX_REQUESTS = 200_000;
    static final long MAX_MILLIS = 120_000;

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong slowestMillis = new AtomicLong();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final Map<String, Long> bodies = new ConcurrentHashMap<>();

    Load(int port, String path, int concurrency) {
        this(port, path, concurrency, 5000);
    }

    /** Also: a timeout per request (to connect, and per read) of {@code timeoutMs}; the slowest answer is kept. */
    Load(int port, String path, int concurrency, int timeoutMs) {
        long deadline = System.currentTimeMillis() + MAX_MILLIS;
        for (int i = 0; i < concurrency; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get() && System.currentTimeMillis() < deadline && ok.get() + failures.size() < MAX_REQUESTS) {
                    try {
                        long t0 = System.nanoTime();
                        RawHttp r = RawHttp.get(port, path, timeoutMs);
                        slowestMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                        if (r.status() == 200) {
                            ok.incrementAndGet();
                            bodies.merge(r.body().replaceAll("\"pid\":\\d+,?", ""), 1L, Long::sum);
                        } else {
                            failures.add("status " + r.status());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }, "load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    long total() {
        return ok.get() + failures.size();
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(15_000);
        }
    }
}
