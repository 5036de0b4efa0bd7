package io.jcluster.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundRobinTest {

    /** A target whose room is switched by the test. */
    static final class T implements Target {
        final String name;
        boolean room = true;

        T(String name) {
            this.name = name;
        }

        @Override
        public boolean hasRoom() {
            return room;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static List<T> targets(int n) {
        List<T> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ts.add(new T(String.valueOf((char) ('A' + i))));
        }
        return ts;
    }

    private static RoundRobin<T> rr(List<T> ts) {
        RoundRobin<T> rr = new RoundRobin<>();
        ts.forEach(rr::add);
        return rr;
    }

    private static List<T> pick(RoundRobin<T> rr, int times) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            out.add(rr.pick());
        }
        return out;
    }

    @Test
    void rotatesEvenlyInJoinOrder() {
        List<T> ts = targets(4);
        RoundRobin<T> rr = rr(ts);
        List<T> expected = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            expected.addAll(ts);
        }
        assertThat(pick(rr, 12)).containsExactlyElementsOf(expected);
    }

    @Test
    void singleTargetIsAlwaysPicked() {
        T a = new T("A");
        RoundRobin<T> rr = rr(List.of(a));
        assertThat(pick(rr, 5)).containsOnly(a).hasSize(5);
    }

    @Test
    void thousandPicksOverTwoTargetsSplitFiftyFifty() {
        List<T> ts = targets(2);
        RoundRobin<T> rr = rr(ts);
        Map<T, Integer> counts = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            counts.merge(rr.pick(), 1, Integer::sum);
        }
        assertThat(counts).containsEntry(ts.get(0), 500).containsEntry(ts.get(1), 500).hasSize(2);
    }

    @Test
    void skipsTargetsWithoutRoomAndComesBackToThem() {
        List<T> ts = targets(3);
        T a = ts.get(0), b = ts.get(1), c = ts.get(2);
        RoundRobin<T> rr = rr(ts);
        b.room = false;
        assertThat(pick(rr, 4)).containsExactly(a, c, a, c);
        b.room = true;
        assertThat(pick(rr, 6)).containsExactly(a, b, c, a, b, c);
    }

    @Test
    void aFullTargetAtTheCursorIsSkippedToTheNextOne() {
        List<T> ts = targets(3);
        T a = ts.get(0), b = ts.get(1), c = ts.get(2);
        RoundRobin<T> rr = rr(ts);
        assertThat(rr.pick()).isSameAs(a);
        b.room = false;
        assertThat(rr.pick()).isSameAs(c);
        b.room = true;
        // The cursor moved past b; the rotation goes on from a, and b is served in its turn.
        assertThat(pick(rr, 3)).containsExactly(a, b, c);
    }

    @Test
    void allFullGivesNullAndTheCursorStaysPut() {
        List<T> ts = targets(3);
        RoundRobin<T> rr = rr(ts);
        assertThat(rr.pick()).isSameAs(ts.get(0));
        ts.forEach(t -> t.room = false);
        assertThat(rr.pick()).isNull();
        assertThat(rr.pick()).isNull();
        ts.forEach(t -> t.room = true);
        assertThat(pick(rr, 3)).containsExactly(ts.get(1), ts.get(2), ts.get(0));
    }

    @Test
    void emptyGivesNull() {
        RoundRobin<T> rr = new RoundRobin<>();
        assertThat(rr.pick()).isNull();
        assertThat(rr.isEmpty()).isTrue();
        assertThat(rr.size()).isZero();
    }

    @Test
    void emptyAfterRemovingEveryTargetGivesNullAndWorksAgainAfterAdd() {
        List<T> ts = targets(2);
        RoundRobin<T> rr = rr(ts);
        rr.pick();
        assertThat(rr.remove(ts.get(0))).isTrue();
        assertThat(rr.remove(ts.get(1))).isTrue();
        assertThat(rr.isEmpty()).isTrue();
        assertThat(rr.pick()).isNull();
        T c = new T("C");
        rr.add(c);
        assertThat(pick(rr, 2)).containsExactly(c, c);
    }

    @Test
    void addOfADuplicateIsIgnored() {
        List<T> ts = targets(2);
        RoundRobin<T> rr = rr(ts);
        rr.add(ts.get(0));
        rr.add(ts.get(1));
        assertThat(rr.size()).isEqualTo(2);
        assertThat(pick(rr, 4)).containsExactly(ts.get(0), ts.get(1), ts.get(0), ts.get(1));
        // Removing it once removes it entirely.
        assertThat(rr.remove(ts.get(0))).isTrue();
        assertThat(rr.remove(ts.get(0))).isFalse();
        assertThat(pick(rr, 2)).containsExactly(ts.get(1), ts.get(1));
    }

    @Test
    void removeOfANonMemberReturnsFalseAndChangesNothing() {
        List<T> ts = targets(3);
        RoundRobin<T> rr = rr(ts);
        assertThat(rr.pick()).isSameAs(ts.get(0));
        assertThat(rr.remove(new T("X"))).isFalse();
        assertThat(rr.size()).isEqualTo(3);
        assertThat(pick(rr, 3)).containsExactly(ts.get(1), ts.get(2), ts.get(0));
    }

    @Test
    void removeBeforeTheCursorKeepsTheNextTarget() {
        List<T> ts = targets(4);
        T a = ts.get(0), b = ts.get(1), c = ts.get(2), d = ts.get(3);
        RoundRobin<T> rr = rr(ts);
        assertThat(pick(rr, 2)).containsExactly(a, b);
        assertThat(rr.remove(b)).isTrue();
        assertThat(pick(rr, 6)).containsExactly(c, d, a, c, d, a);
    }

    @Test
    void removeAtTheCursorMovesOnToTheFollowingTarget() {
        List<T> ts = targets(4);
        T a = ts.get(0), b = ts.get(1), c = ts.get(2), d = ts.get(3);
        RoundRobin<T> rr = rr(ts);
        assertThat(pick(rr, 2)).containsExactly(a, b);
        assertThat(rr.remove(c)).isTrue();
        assertThat(pick(rr, 6)).containsExactly(d, a, b, d, a, b);
    }

    @Test
    void removeAfterTheCursorKeepsTheNextTarget() {
        List<T> ts = targets(4);
        T a = ts.get(0), b = ts.get(1), c = ts.get(2), d = ts.get(3);
        RoundRobin<T> rr = rr(ts);
        assertThat(pick(rr, 2)).containsExactly(a, b);
        assertThat(rr.remove(d)).isTrue();
        assertThat(pick(rr, 6)).containsExactly(c, a, b, c, a, b);
    }

    @Test
    void removeOfTheLastTargetAtTheCursorWrapsToTheFirst() {
        List<T> ts = targets(3);
        T a = ts.get(0), b = ts.get(1), c = ts.get(2);
        RoundRobin<T> rr = rr(ts);
        assertThat(pick(rr, 2)).containsExactly(a, b);
        assertThat(rr.remove(c)).isTrue();
        assertThat(pick(rr, 4)).containsExactly(a, b, a, b);
    }

    @Test
    void removeOfTheTargetJustServedDoesNotSkipItsSuccessor() {
        List<T> ts = targets(3);
        T a = ts.get(0), b = ts.get(1), c = ts.get(2);
        RoundRobin<T> rr = rr(ts);
        assertThat(rr.pick()).isSameAs(a);
        assertThat(rr.remove(a)).isTrue();
        assertThat(pick(rr, 4)).containsExactly(b, c, b, c);
    }

    /**
     * Exhaustive over sizes 1..6, every cursor position and every removed index: the first pick after the
     * removal is the target that was due (or, if the due one was removed, the one after it in cyclic order),
     * and from there every window of size-1 picks serves each remaining target exactly once.
     */
    @Test
    void removeAnywhereKeepsTheRotationFair() {
        for (int n = 1; n <= 6; n++) {
            for (int cursor = 0; cursor < n; cursor++) {
                for (int removed = 0; removed < n; removed++) {
                    List<T> ts = targets(n);
                    RoundRobin<T> rr = rr(ts);
                    pick(rr, cursor);
                    T gone = ts.get(removed);
                    assertThat(rr.remove(gone)).isTrue();
                    List<T> left = new ArrayList<>(ts);
                    left.remove(gone);
                    String where = "n=" + n + " cursor=" + cursor + " removed=" + removed;
                    if (left.isEmpty()) {
                        assertThat(rr.pick()).as(where).isNull();
                        continue;
                    }
                    T due = cursor == removed ? ts.get((cursor + 1) % n) : ts.get(cursor);
                    List<T> picks = pick(rr, 3 * left.size());
                    assertThat(picks.get(0)).as(where).isSameAs(due);
                    for (int i = 0; i + left.size() <= picks.size(); i += left.size()) {
                        assertThat(picks.subList(i, i + left.size())).as(where + " window " + i)
                                .containsExactlyInAnyOrderElementsOf(left);
                    }
                    for (int i = 1; i < picks.size() && left.size() > 1; i++) {
                        assertThat(picks.get(i)).as(where + " twice in a row at " + i).isNotSameAs(picks.get(i - 1));
                    }
                }
            }
        }
    }

    @Test
    void aTargetAddedDuringARoundJoinsAtTheEnd() {
        List<T> ts = targets(2);
        T a = ts.get(0), b = ts.get(1);
        RoundRobin<T> rr = rr(ts);
        assertThat(rr.pick()).isSameAs(a);
        T c = new T("C");
        rr.add(c);
        assertThat(pick(rr, 5)).containsExactly(b, c, a, b, c);
    }
}
