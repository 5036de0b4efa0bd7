package io.jcluster.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StickyTest {
    static final int CLIENTS = 10_000;

    /** A worker in a slot (its affinity). */
    static final class W implements Target {
        final int slot;
        boolean room = true;

        W(int slot) {
            this.slot = slot;
        }

        @Override
        public boolean hasRoom() {
            return room;
        }

        @Override
        public long affinity() {
            return slot;
        }

        @Override
        public String toString() {
            return "slot " + slot;
        }
    }

    /** Client keys as IPv4 addresses 10.0.x.y, as {@link Sticky#clientKey} makes them. */
    private static long client(int i) {
        return Sticky.clientKey(new byte[] {8, 10, 0, (byte) (i >> 8), (byte) i, 0, 0, 0, 80});
    }

    private static Sticky<W> sticky(List<W> ws) {
        Sticky<W> s = new Sticky<>();
        ws.forEach(s::add);
        return s;
    }

    private static List<W> workers(int n) {
        List<W> ws = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ws.add(new W(i));
        }
        return ws;
    }

    private static Map<Integer, W> route(Sticky<W> s) {
        Map<Integer, W> m = new HashMap<>();
        for (int i = 0; i < CLIENTS; i++) {
            m.put(i, s.pick(client(i)));
        }
        return m;
    }

    @Test
    void aClientAlwaysReachesTheSameWorkerAndClientsSpreadEvenly() {
        List<W> ws = workers(4);
        Sticky<W> s = sticky(ws);
        Map<Integer, W> first = route(s);
        assertThat(route(s)).isEqualTo(first);
        Map<W, Integer> share = new HashMap<>();
        first.values().forEach(w -> share.merge(w, 1, Integer::sum));
        assertThat(share).hasSize(4);
        assertThat(share.values()).allSatisfy(n -> assertThat(n).isBetween(CLIENTS / 4 - 300, CLIENTS / 4 + 300));
    }

    @Test
    void aDeathMovesOnlyTheDeadWorkersClients() {
        List<W> ws = workers(4);
        Sticky<W> s = sticky(ws);
        Map<Integer, W> before = route(s);
        W dead = ws.get(2);
        assertThat(s.remove(dead)).isTrue();
        Map<Integer, W> after = route(s);
        int moved = 0;
        for (int i = 0; i < CLIENTS; i++) {
            if (before.get(i) == dead) {
                assertThat(after.get(i)).isNotSameAs(dead);
                moved++;
            } else {
                assertThat(after.get(i)).as("client %d", i).isSameAs(before.get(i));
            }
        }
        assertThat(moved).isBetween(CLIENTS / 4 - 300, CLIENTS / 4 + 300);
    }

    @Test
    void aNewWorkerTakesAboutOneNthAndOnlyForItself() {
        List<W> ws = workers(4);
        Sticky<W> s = sticky(ws);
        Map<Integer, W> before = route(s);
        W added = new W(5);
        s.add(added);
        Map<Integer, W> after = route(s);
        int moved = 0;
        for (int i = 0; i < CLIENTS; i++) {
            if (after.get(i) != before.get(i)) {
                assertThat(after.get(i)).isSameAs(added);
                moved++;
            }
        }
        assertThat(moved).isBetween(CLIENTS / 5 - 300, CLIENTS / 5 + 300);
    }

    @Test
    void aRestartedWorkerInTheSameSlotGetsItsClientsBack() {
        List<W> ws = workers(3);
        Sticky<W> s = sticky(ws);
        Map<Integer, W> before = route(s);
        W old = ws.get(1);
        s.remove(old);
        W replacement = new W(old.slot);
        s.add(replacement);
        Map<Integer, W> after = route(s);
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(after.get(i)).isSameAs(before.get(i) == old ? replacement : before.get(i));
        }
    }

    @Test
    void aFullWorkerMakesItsClientsWaitInsteadOfMoving() {
        List<W> ws = workers(2);
        Sticky<W> s = sticky(ws);
        long c = client(7);
        W own = s.pick(c);
        own.room = false;
        assertThat(s.pick(c)).isNull();
        own.room = true;
        assertThat(s.pick(c)).isSameAs(own);
        assertThat(new Sticky<W>().pick(c)).isNull();
    }

    @Test
    void theKeyIsTheAddressNotThePort() {
        byte[] v4a = {8, 127, 0, 0, 2, 0, 0, (byte) 0x9c, 0x40};
        byte[] v4b = {8, 127, 0, 0, 2, 0, 0, 0x13, (byte) 0x88};
        byte[] v4c = {8, 127, 0, 0, 3, 0, 0, 0x13, (byte) 0x88};
        assertThat(Sticky.clientKey(v4a)).isEqualTo(Sticky.clientKey(v4b)).isNotEqualTo(Sticky.clientKey(v4c));
        byte[] v6a = new byte[26];
        v6a[0] = 24;
        v6a[16] = 1;          // ::1
        v6a[24] = 0x50;       // port
        byte[] v6b = v6a.clone();
        v6b[24] = 0x51;       // another port
        byte[] v6c = v6a.clone();
        v6c[16] = 2;          // ::2
        assertThat(Sticky.clientKey(v6a)).isEqualTo(Sticky.clientKey(v6b)).isNotEqualTo(Sticky.clientKey(v6c));
    }
}
