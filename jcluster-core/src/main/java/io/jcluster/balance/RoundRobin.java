package io.jcluster.balance;

/** Round-robin over the targets in the order they joined, skipping the ones without room. */
public final class RoundRobin<T extends Target> extends InTurn<T> {
    @Override
    public T pick(long client) {
        int n = targets.size();
        for (int tried = 0; tried < n; tried++) {
            T t = targets.get(next);
            next = next + 1 == n ? 0 : next + 1;
            if (t.hasRoom()) {
                return t;
            }
        }
        return null;
    }
}
