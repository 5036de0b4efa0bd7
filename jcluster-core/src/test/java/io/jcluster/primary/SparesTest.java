package io.jcluster.primary;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.cluster.RestartPolicy;
import io.jcluster.cluster.WorkerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparesTest {
    private final List<WorkerHandle> rotated = new ArrayList<>();
    private boolean stopping;
    private final Spares spares = new Spares(() -> stopping, rotated::add);
    private int ids;

    private WorkerHandle worker(boolean spare, WorkerState... path) {
        WorkerHandle w = new WorkerHandle(null, ++ids, new Slot(ids, 1, Map.of(), new RestartTracker(RestartPolicy.NEVER),
                spare), "t");
        for (WorkerState s : path) {
            w.transition(s);
        }
        spares.forked(w);
        return w;
    }

    @Test
    void aDeadWorkerInRotationIsReplacedByTheOldestListeningSpareAndItsSlotBecomesTheSpareSlot() {
        WorkerHandle a = worker(false, WorkerState.ONLINE, WorkerState.LISTENING);
        WorkerHandle booting = worker(true, WorkerState.ONLINE);
        WorkerHandle s1 = worker(true, WorkerState.ONLINE, WorkerState.LISTENING);
        WorkerHandle s2 = worker(true, WorkerState.ONLINE, WorkerState.LISTENING);

        spares.replace(a);

        assertThat(rotated).containsExactly(s1);
        assertThat(s1.isSpare()).isFalse();
        assertThat(s1.slot.spare).isFalse();
        assertThat(a.slot.spare).as("the dead slot's restart comes up as a spare").isTrue();
        assertThat(booting.isSpare()).isTrue();
        assertThat(s2.isSpare()).isTrue();
        assertThat(spares.count()).isEqualTo(2);
    }

    @Test
    void aWorkerIsReplacedOnceEvenWhenItsLinkEndAndItsExitBothReportTheDeath() {
        WorkerHandle a = worker(false, WorkerState.ONLINE, WorkerState.LISTENING);
        worker(true, WorkerState.ONLINE, WorkerState.LISTENING);
        worker(true, WorkerState.ONLINE, WorkerState.LISTENING);

        spares.replace(a);
        spares.replace(a);

        assertThat(rotated).hasSize(1);
    }

    @Test
    void noPromotionForASpareThatDiesAWorkerStoppedOnPurposeOrDuringAStop() {
        WorkerHandle s = worker(true, WorkerState.ONLINE, WorkerState.LISTENING);
        worker(true, WorkerState.ONLINE, WorkerState.LISTENING);
        spares.replace(s);
        WorkerHandle retired = worker(false, WorkerState.ONLINE, WorkerState.LISTENING);
        retired.markKilled();
        spares.replace(retired);
        stopping = true;
        spares.replace(worker(false, WorkerState.ONLINE, WorkerState.LISTENING));

        assertThat(rotated).isEmpty();
    }

    @Test
    void aBootingSpareIsPromotedWhenNoneListensAndNoneWhenNoneIsLeft() {
        WorkerHandle booting = worker(true);
        WorkerHandle a = worker(false, WorkerState.ONLINE, WorkerState.LISTENING);
        WorkerHandle b = worker(false, WorkerState.ONLINE, WorkerState.LISTENING);

        spares.replace(a);
        spares.replace(b);

        assertThat(rotated).containsExactly(booting);
        assertThat(b.slot.spare).as("no spare took its place").isFalse();
    }

    @Test
    void promoteNowTakesASpareOnceAndNeverAWorkerInRotation() {
        WorkerHandle s = worker(true, WorkerState.ONLINE, WorkerState.LISTENING);
        WorkerHandle a = worker(false, WorkerState.ONLINE, WorkerState.LISTENING);

        assertThat(spares.promoteNow(s)).isTrue();
        assertThat(spares.promoteNow(s)).isFalse();
        assertThat(spares.promoteNow(a)).isFalse();
        assertThat(rotated).containsExactly(s);
        assertThat(spares.count()).isZero();
    }
}
