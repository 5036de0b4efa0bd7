package io.jcluster.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {

    /** A worker as the primary sees it: its open connections go up on a pick and down on a close. */
    static final class W implements Target {
        final String name;
        boolean room = true;
        int open;

        W(String name) {
            this.name = name;
        }

        @Override
        public boolean hasRoom() {
            return room;
        }

        @Override
        public int connections() {
            return open;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static List<W> workers(int n) {
        List<W> ws = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ws.add(new W(String.valueOf((char) ('A' + i))));
        }
        return ws;
    }

    private static LeastConnections<W> lc(List<W> ws) {
        LeastConnections<W> lc = new LeastConnections<>();
        ws.forEach(lc::add);
        return lc;
    }

    /** Picks {@code times} connections that stay open. */
    private static List<W> open(LeastConnections<W> lc, int times) {
        List<W> out = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            W w = lc.pick();
            w.open++;
            out.add(w);
        }
        return out;
    }

    @Test
    void equalWorkersShareShortConnectionsInTurn() {
        List<W> ws = workers(3);
        LeastConnections<W> lc = lc(ws);
        Map<W, Integer> counts = new HashMap<>();
        List<W> order = new ArrayList<>();
        for (int i = 0; i < 999; i++) {
            W w = lc.pick();
            order.add(w);
            counts.merge(w, 1, Integer::sum); // each closes before the next comes: every count stays 0
        }
        assertThat(counts).containsEntry(ws.get(0), 333).containsEntry(ws.get(1), 333).containsEntry(ws.get(2), 333);
        assertThat(order.subList(0, 6)).containsExactly(ws.get(0), ws.get(1), ws.get(2), ws.get(0), ws.get(1), ws.get(2));
    }

    @Test
    void longConnectionsSpreadEvenly() {
        List<W> ws = workers(4);
        LeastConnections<W> lc = lc(ws);
        open(lc, 1000);
        assertThat(ws).allSatisfy(w -> assertThat(w.open).isEqualTo(250));
    }

    @Test
    void newConnectionsAvoidTheWorkerThatHoldsOpenOnes() {
        List<W> ws = workers(3);
        W a = ws.get(0), b = ws.get(1), c = ws.get(2);
        LeastConnections<W> lc = lc(ws);
        a.open = 10; // ten held open on A
        List<W> picks = open(lc, 10);
        assertThat(picks).doesNotContain(a);
        assertThat(b.open).isEqualTo(5);
        assertThat(c.open).isEqualTo(5);
        // B and C hold 5 each: the next ten go to them until they hold as many as A; then all three in turn.
        assertThat(open(lc, 10)).doesNotContain(a);
        assertThat(open(lc, 3)).containsExactlyInAnyOrder(a, b, c);
    }

    @Test
    void followsCloses() {
        List<W> ws = workers(2);
        W a = ws.get(0), b = ws.get(1);
        LeastConnections<W> lc = lc(ws);
        open(lc, 8);
        assertThat(a.open).isEqualTo(4);
        assertThat(b.open).isEqualTo(4);
        b.open = 0; // B's four closed
        assertThat(open(lc, 4)).containsOnly(b);
        a.open = 1; // and three of A's
        assertThat(open(lc, 3)).containsOnly(a);
        assertThat(open(lc, 2)).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void aFullWorkerIsSkippedEvenWithTheFewest() {
        List<W> ws = workers(2);
        W a = ws.get(0), b = ws.get(1);
        LeastConnections<W> lc = lc(ws);
        b.open = 50;
        a.room = false;
        assertThat(open(lc, 3)).containsOnly(b);
        a.room = true;
        assertThat(lc.pick()).isSameAs(a);
    }

    @Test
    void allFullOrNoneGivesNull() {
        List<W> ws = workers(2);
        LeastConnections<W> lc = lc(ws);
        ws.forEach(w -> w.room = false);
        assertThat(lc.pick()).isNull();
        assertThat(new LeastConnections<W>().pick()).isNull();
    }

    @Test
    void removeAndAddKeepCountingRight() {
        List<W> ws = workers(3);
        W a = ws.get(0), b = ws.get(1), c = ws.get(2);
        LeastConnections<W> lc = lc(ws);
        open(lc, 6);
        assertThat(lc.remove(b)).isTrue();
        assertThat(lc.remove(b)).isFalse();
        assertThat(lc.size()).isEqualTo(2);
        assertThat(open(lc, 4)).containsOnly(a, c);
        W d = new W("D"); // a new worker starts empty: it takes the next ones until it catches up
        lc.add(d);
        lc.add(d);
        assertThat(lc.size()).isEqualTo(3);
        assertThat(open(lc, 4)).containsOnly(d);
        assertThat(a.open).isEqualTo(4);
        assertThat(c.open).isEqualTo(4);
        assertThat(d.open).isEqualTo(4);
    }
}
