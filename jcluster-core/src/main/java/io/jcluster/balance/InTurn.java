package io.jcluster.balance;

import java.util.ArrayList;
import java.util.List;

/**
 * The targets in the order they joined, and a cursor to the one whose turn is next, kept valid as targets come
 * and go: what round-robin and least-connections (whose ties go in turn) share. Subclasses pick.
 */
abstract class InTurn<T extends Target> implements Balancer<T> {
    final List<T> targets = new ArrayList<>();
    /** Index of the target whose turn is next. */
    int next;

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
    public boolean isEmpty() {
        return targets.isEmpty();
    }

    @Override
    public int size() {
        return targets.size();
    }
}
