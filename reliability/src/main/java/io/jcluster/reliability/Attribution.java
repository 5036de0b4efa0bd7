package io.jcluster.reliability;

import io.jcluster.reliability.LoadClient.Failure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chaos's judgement of its failures, kept apart from the processes so that a unit test can feed it a crafted
 * outcome: each failure is given to the kill whose victim held its connection, or to none.
 *
 * <p>A failure belongs to a kill when its client port is in the set of ports the victim held when it was
 * stopped, it failed after the stop, and its connection was made no later than a second after the stop (the
 * client reads its connect time after {@code connect()} returns, which on a busy machine can come after the
 * worker took the connection; a second is far too short for the ephemeral ports to come round again). The
 * check can fail two ways: a failure that belongs to no kill (a connection the victims did not hold: a
 * regression that drops or resets others' connections), and a kill with more failures than connections its
 * victim held (the same connection failing twice, or a port counted again).
 */
final class Attribution {
    /** One kill: which worker, when it was stopped, and the client ports of the connections it held. */
    record Kill(int id, long pid, long stopNanos, Set<Integer> ports) { }

    /**
     * What the failures were: those the kills' victims held, those they did not ({@code other}), and per kill
     * (in kill order) how many of its victim's connections failed.
     */
    record Verdict(List<Failure> held, List<Failure> other, List<Integer> perKill, List<Kill> kills) {
        /** Kills with more failures than connections their victim held, as "worker ID: F failures, H held". */
        List<String> overHeld() {
            List<String> over = new ArrayList<>();
            for (int i = 0; i < kills.size(); i++) {
                if (perKill.get(i) > kills.get(i).ports().size()) {
                    over.add("worker " + kills.get(i).id() + ": " + perKill.get(i) + " failures, "
                            + kills.get(i).ports().size() + " held");
                }
            }
            return over;
        }

        /** The most failures on any one connection the victims held (a connection is port and connect time). */
        int worstPerConnection() {
            Map<String, Integer> per = new LinkedHashMap<>();
            for (Failure f : held) {
                per.merge(f.source() + ":" + f.localPort() + "@" + f.connectNanos(), 1, Integer::sum);
            }
            return per.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }

        int heldConnections() {
            return kills.stream().mapToInt(k -> k.ports().size()).sum();
        }

        long otherOnNewConnections() {
            return other.stream().filter(Failure::newConnection).count();
        }

        /** Both checks: no failure on a connection no victim held, and no kill over what its victim held. */
        boolean exact() {
            return other.isEmpty() && overHeld().isEmpty();
        }
    }

    private Attribution() {
    }

    static Verdict judge(List<Failure> failures, List<Kill> kills) {
        List<Failure> held = new ArrayList<>();
        List<Failure> other = new ArrayList<>();
        int[] perKill = new int[kills.size()];
        for (Failure f : failures) {
            int k = owner(f, kills);
            if (k < 0) {
                other.add(f);
            } else {
                held.add(f);
                perKill[k]++;
            }
        }
        List<Integer> counts = new ArrayList<>();
        for (int n : perKill) {
            counts.add(n);
        }
        return new Verdict(held, other, counts, kills);
    }

    /** The index of the latest kill whose victim held the failure's connection, or -1. */
    static int owner(Failure f, List<Kill> kills) {
        if (f.connectNanos() == 0) {
            return -1; // a connect that failed: no worker held it
        }
        int owner = -1;
        for (int i = 0; i < kills.size(); i++) {
            Kill k = kills.get(i);
            if (f.connectNanos() <= k.stopNanos() + 1_000_000_000L && f.failNanos() >= k.stopNanos()
                    && k.ports().contains(f.localPort())) {
                owner = i;
            }
        }
        return owner;
    }
}
