package io.jcluster.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the scenarios. */
public final class Support {
    private Support() {
    }

    /** A port that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code condition} every 10 ms; true when it held within {@code timeout}. */
    public static boolean within(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** One {@code GET path} with {@code Connection: close}; the response's body (the status line is checked). */
    public static String get(int port, String path) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!all.startsWith("HTTP/1.1 200 ")) {
                throw new IOException("not a 200: " + all);
            }
            return all.substring(all.indexOf("\r\n\r\n") + 4);
        }
    }

    /** The pids that answer {@code n} new connections ({@code GET /} answers {"pid":N}). */
    public static java.util.Map<Long, Integer> answeringPids(int port, int n) throws IOException {
        java.util.Map<Long, Integer> pids = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            String body = get(port, "/");
            pids.merge(Long.parseLong(body.replaceAll("[^0-9]", "")), 1, Integer::sum);
        }
        return pids;
    }

    public static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    public static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }
}
