package io.jcluster.parity;

import io.jcluster.cluster.Cluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What Node's {@code test/common} gives its cluster tests, for the programs of this package: assertions that end
 * the program with a reason, {@code mustCall} counting checked at the end, a deadline, and a liveness probe.
 *
 * <p>A failed check prints {@code FAIL (primary|worker N): reason} and the program goes on, so that one run shows
 * every difference; {@link #fail} also ends the program with 1 at once. {@link #pass()} checks every counter and
 * exits 0 (printing {@code PASS}), or 1 when a check failed. The test that runs a program also fails on any {@code FAIL} line, so a
 * worker's failed check fails the scenario even when the primary does not look at that worker's exit code.
 */
final class Common {
    private static final List<Counted> COUNTED = new CopyOnWriteArrayList<>();
    private static volatile boolean ending;
    private static volatile boolean failed;

    private Common() {
    }

    /** A listener that must run exactly {@code times} times before {@link #pass()}. */
    static Counted mustCall(String what, int times) {
        Counted c = new Counted(what, times, times);
        COUNTED.add(c);
        return c;
    }

    static Counted mustCall(String what) {
        return mustCall(what, 1);
    }

    /** A listener that must run at least {@code times} times before {@link #pass()}. */
    static Counted mustCallAtLeast(String what, int times) {
        Counted c = new Counted(what, times, Integer.MAX_VALUE);
        COUNTED.add(c);
        return c;
    }

    /**
     * A check to call after each of {@code counters} counts: runs {@code then} once, the first time all of them have
     * reached their minimum (events that may come in either order, as disconnect and exit do).
     */
    static Runnable whenAll(Runnable then, Counted... counters) {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            for (Counted c : counters) {
                if (c.count.get() < c.min) {
                    return;
                }
            }
            if (done.compareAndSet(false, true)) {
                then.run();
            }
        };
    }

    /** A check that does not stop the program: it prints its FAIL line, and {@link #pass()} then exits 1. */
    static void ok(boolean condition, String what) {
        if (!condition) {
            failed = true;
            System.out.println("FAIL (" + who() + "): " + what);
        }
    }

    static void equal(Object actual, Object expected, String what) {
        ok(Objects.equals(actual, expected), what + " [expected: " + expected + " / actual: " + actual + "]");
    }

    static void fail(String why) {
        System.out.println("FAIL (" + who() + "): " + why);
        exit(1);
    }

    /** Checks every counter, then exits 0, or 1 if a check failed on the way. */
    static void pass() {
        if (ending) {
            return;
        }
        for (Counted c : COUNTED) {
            int n = c.count.get();
            if (n < c.min || n > c.max) {
                fail(c.what + ": called " + n + " times, expected " + c.expected());
            }
        }
        if (failed) {
            System.out.println("FAILED (" + who() + "): see the FAIL lines above");
            exit(1);
            return;
        }
        System.out.println("PASS (" + who() + ")");
        exit(0);
    }

    /**
     * Ends the program, as {@code process.exit} does, off the calling thread (a listener runs on the primary's
     * supervisor thread, which shutdown may wait for); halts if shutdown takes more than 3 s.
     */
    static void exit(int status) {
        synchronized (Common.class) {
            if (ending) {
                return;
            }
            ending = true;
        }
        System.out.flush();
        Thread halt = new Thread(() -> {
            sleep(3000);
            Runtime.getRuntime().halt(status);
        }, "parity-halt");
        halt.setDaemon(true);
        halt.start();
        new Thread(() -> System.exit(status), "parity-exit").start();
    }

    /** Fails the program if it has not ended within {@code timeout}, saying which counters were short. */
    static void deadline(Duration timeout) {
        Thread t = new Thread(() -> {
            sleep(timeout.toMillis());
            StringBuilder b = new StringBuilder("did not finish within " + timeout.toMillis() + " ms;");
            for (Counted c : COUNTED) {
                b.append(' ').append(c.what).append('=').append(c.count.get()).append('/').append(c.expected());
            }
            fail(b.toString());
        }, "parity-deadline");
        t.setDaemon(true);
        t.start();
    }

    /** Node's {@code common.isAlive}: the process exists and is not a zombie waiting to be reaped. */
    static boolean isAlive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** A port free on 127.0.0.1 now. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void log(String line) {
        System.out.println("[" + who() + "] " + line);
    }

    private static String who() {
        return Cluster.isPrimary() ? "primary" : "worker " + Cluster.worker().id();
    }

    /** A counted listener body. */
    static final class Counted {
        final String what;
        final int min;
        final int max;
        final AtomicInteger count = new AtomicInteger();

        private Counted(String what, int min, int max) {
            this.what = what;
            this.min = min;
            this.max = max;
        }

        /** Counts one call; fails at once when called more often than allowed. */
        int call() {
            int n = count.incrementAndGet();
            if (n > max) {
                fail(what + ": called " + n + " times, expected " + expected());
            }
            return n;
        }

        int count() {
            return count.get();
        }

        private String expected() {
            return max == Integer.MAX_VALUE ? "at least " + min : Integer.toString(min);
        }
    }
}
