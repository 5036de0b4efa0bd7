package io.jcluster.supervise;

import io.jcluster.contract.Units;
import java.util.HashMap;
import java.util.Map;

/** {@code --max-memory}: a worker whose RSS stays over the limit for {@value #STRIKES} samples in a row. */
final class MemoryLimit implements RecyclePolicy {
    /** RSS over the limit this many samples in a row recycles a worker. */
    static final int STRIKES = 3;
    private final long limit;
    /** Samples over the limit in a row, by worker id (policy thread only). */
    private final Map<Integer, Integer> over = new HashMap<>();

    MemoryLimit(long limit) {
        this.limit = limit;
    }

    @Override
    public String recycleBecause(Member m) {
        ProcStats.Sample s = m.sample;
        if (limit <= 0 || s == null) {
            return null;
        }
        if (s.rss() <= limit) {
            over.remove(m.id);
            return null;
        }
        if (over.merge(m.id, 1, Integer::sum) < STRIKES) {
            return null;
        }
        return "its RSS " + Units.formatSize(s.rss()) + " stayed over the limit of " + Units.formatSize(limit);
    }

    /** Forgets workers that left. */
    void retain(java.util.Set<Integer> live) {
        over.keySet().retainAll(live);
    }
}
