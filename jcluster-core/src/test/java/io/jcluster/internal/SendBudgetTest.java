package io.jcluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.cluster.RequestException;
import org.junit.jupiter.api.Test;

class SendBudgetTest {
    @Test
    void aFullBudgetRefusesUntilWritesReleaseRoomAndOneLargeMessageAloneStillGoes() {
        SendBudget b = new SendBudget(100);
        assertThat(b.reserve(500, "worker 1")).isNull(); // alone: goes
        RequestException full = b.reserve(1, "worker 1");
        assertThat(full.reason()).isEqualTo(RequestException.Reason.QUEUE_FULL);
        assertThat(full).hasMessage("500 bytes of messages already wait to be written to worker 1 (at most 100): it does not read them");
        b.release(500);
        assertThat(b.reserve(60, "worker 1")).isNull();
        assertThat(b.reserve(40, "worker 1")).isNull();
        assertThat(b.reserve(1, "worker 1")).isNotNull();
        b.release(60);
        assertThat(b.queued()).isEqualTo(40);
    }
}
