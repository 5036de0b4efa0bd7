package io.jcluster.balance;

import java.util.ArrayList;
import java.util.List;

/**
 * Sticky routing by client address: rendezvous (highest random weight) hashing. Each target scores
 * {@code mix(client, target.affinity())}; the client goes to the highest. While the targets stay, a client
 * always reaches the same one; when one leaves, only its clients move (each to its second choice), and one
 * that joins takes only the clients it now wins, about 1/N of them. A worker's affinity is its slot, so a
 * restarted worker gets its clients back.
 *
 * <p>The client's own target being full (its window of unacknowledged hand-offs) makes the connection wait,
 * never go elsewhere: stickiness is the point. One pass over the targets per pick, no allocation.
 */
public final class Sticky<T extends Target> implements Balancer<T> {
    private final List<T> targets = new ArrayList<>();

    @Override
    public void add(T target) {
        if (!targets.contains(target)) {
            targets.add(target);
        }
    }

    @Override
    public boolean remove(T target) {
        return targets.remove(target);
    }

    @Override
    public T pick(long client) {
        T best = null;
        long top = 0;
        for (int i = 0, n = targets.size(); i < n; i++) {
            T t = targets.get(i);
            long score = score(client, t.affinity());
            // Unsigned order; ties (two targets of one slot) go to the later one, the newer worker.
            if (best == null || Long.compareUnsigned(score, top) >= 0) {
                best = t;
                top = score;
            }
        }
        return best == null || !best.hasRoom() ? null : best;
    }

    @Override
    public boolean isEmpty() {
        return targets.isEmpty();
    }

    @Override
    public int size() {
        return targets.size();
    }

    static long score(long client, long affinity) {
        return mix(client ^ mix(affinity + 0x9E3779B97F4A7C15L));
    }

    /** SplitMix64's finaliser: every input bit reaches every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The key of a client's IP address (the port left out) as Netty's {@code Socket.accept(byte[])} fills its
     * array: {@code [length][address][scope id, IPv6 only][port]}, length 8 for IPv4 (and IPv4-mapped IPv6,
     * given as its IPv4 address) or 24 for IPv6. An IPv4 address is its own key; an IPv6 one is folded.
     */
    public static long clientKey(byte[] accepted) {
        int len = accepted[0];
        if (len == 8) {
            return ((accepted[1] & 0xFFL) << 24) | ((accepted[2] & 0xFFL) << 16) | ((accepted[3] & 0xFFL) << 8)
                    | (accepted[4] & 0xFFL);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (accepted[1 + i] & 0xFFL);
            lo = (lo << 8) | (accepted[9 + i] & 0xFFL);
        }
        return mix(hi) ^ lo;
    }
}
