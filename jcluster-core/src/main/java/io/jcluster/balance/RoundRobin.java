package io.jcluster.balance;

import java.util.ArrayList;
import java.util.List;

/** Round-robin over the targets in the order they joined, skipping the ones without room. */
public final class RoundRobin<T extends Target> implements Balancer<T> {
    private final List<T> targets = new ArrayList<>();
    private int next;

    @Override
    public void add(T target) {
        if (!targets.contains(target)) {
            targets.add(target);
        }
    }

    @Override
    public boolean remove(T target) {
        int i = targets.indexOf(target);
        if (i < 0) {
            return false;
        }
        targets.remove(i);
        if (i < next) {
            next--;
        }
        if (next >= targets.size()) {
            next = 0;
        }
        return true;
    }

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

    @Override
    public boolean isEmpty() {
        return targets.isEmpty();
    }

    @Override
    public int size() {
        return targets.size();
    }
}
