package io.jcluster.cluster;

import static io.jcluster.cluster.WorkerState.DEAD;
import static io.jcluster.cluster.WorkerState.DISCONNECTING;
import static io.jcluster.cluster.WorkerState.LISTENING;
import static io.jcluster.cluster.WorkerState.ONLINE;
import static io.jcluster.cluster.WorkerState.SPAWNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerStateTest {

    /**
     * The legal transitions, written out. From the class diagram: links up (SPAWNED→ONLINE), first listen
     * (ONLINE→LISTENING), disconnect (ONLINE/LISTENING→DISCONNECTING), process exit from any live state (→DEAD);
     * DEAD is terminal. SPAWNED→DISCONNECTING is also legal: the primary's disconnect() of a worker whose links
     * are not up yet moves it there and sends SIGTERM (Primary.disconnect0). No state moves to itself.
     */
    private static final Map<WorkerState, Set<WorkerState>> LEGAL = new EnumMap<>(Map.of(
            SPAWNED, EnumSet.of(ONLINE, DISCONNECTING, DEAD),
            ONLINE, EnumSet.of(LISTENING, DISCONNECTING, DEAD),
            LISTENING, EnumSet.of(DISCONNECTING, DEAD),
            DISCONNECTING, EnumSet.of(DEAD),
            DEAD, EnumSet.noneOf(WorkerState.class)));

    @Test
    void theTableCoversEveryState() {
        assertThat(LEGAL.keySet()).containsExactlyInAnyOrder(WorkerState.values());
    }

    @Test
    void everyPairIsLegalOrIllegalExactlyAsTheTableSays() {
        int legal = 0, illegal = 0;
        for (WorkerState from : WorkerState.values()) {
            for (WorkerState to : WorkerState.values()) {
                String pair = from + " -> " + to;
                if (LEGAL.get(from).contains(to)) {
                    assertThat(from.to(to)).as(pair).isSameAs(to);
                    assertThat(from.next()).as(pair).contains(to);
                    legal++;
                } else {
                    assertThatThrownBy(() -> from.to(to)).as(pair).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining(from.toString()).hasMessageContaining(to.toString());
                    assertThat(from.next()).as(pair).doesNotContain(to);
                    illegal++;
                }
            }
        }
        assertThat(legal).isEqualTo(9);
        assertThat(illegal).isEqualTo(16);
    }

    @Test
    void nextIsExactlyTheTable() {
        for (WorkerState s : WorkerState.values()) {
            assertThat(s.next()).as(s.toString()).isEqualTo(LEGAL.get(s));
        }
    }

    @Test
    void nextReturnsAFreshSetEachTime() {
        Set<WorkerState> n = ONLINE.next();
        n.clear();
        assertThat(ONLINE.next()).containsExactlyInAnyOrder(LISTENING, DISCONNECTING, DEAD);
    }

    @Test
    void namedIllegalTransitionsThrow() {
        for (WorkerState to : WorkerState.values()) {
            assertThatThrownBy(() -> DEAD.to(to)).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> LISTENING.to(ONLINE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DISCONNECTING.to(LISTENING)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DISCONNECTING.to(ONLINE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SPAWNED.to(LISTENING)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ONLINE.to(SPAWNED)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LISTENING.to(LISTENING)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theNormalLifecycleWalksThrough() {
        WorkerState s = SPAWNED;
        s = s.to(ONLINE).to(LISTENING).to(DISCONNECTING).to(DEAD);
        assertThat(s).isEqualTo(DEAD);
    }
}
