package io.jcluster.balance;

/**
 * The target with the fewest open connections among those with room; ties go in turn (round-robin from a
 * cursor that moves past each pick), so equal targets share new connections evenly. One pass over the
 * targets per pick, no allocation.
 */
public final class LeastConnections<T extends Target> extends InTurn<T> {
    @Override
    public T pick(long client) {
        int n = targets.size();
        T best = null;
        int bestAt = -1;
        int fewest = Integer.MAX_VALUE;
        for (int tried = 0, i = next; tried < n; tried++, i = i + 1 == n ? 0 : i + 1) {
            T t = targets.get(i);
            if (t.hasRoom()) {
                int c = t.connections();
                if (c < fewest) {
                    best = t;
                    bestAt = i;
                    fewest = c;
                }
            }
        }
        if (best != null) {
            next = bestAt + 1 == n ? 0 : bestAt + 1;
        }
        return best;
    }
}
