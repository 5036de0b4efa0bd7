package io.jcluster.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaxRequestsTest {
    @Test
    void offWithoutAMaximum() {
        assertThat(MaxRequests.limit(0, 50)).isZero();
    }

    @Test
    void noJitterIsTheMaximum() {
        assertThat(MaxRequests.limit(1000, 0)).isEqualTo(1000);
    }

    @Test
    void jitterAddsZeroToJitterInclusiveAndSpreads() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            long l = MaxRequests.limit(1000, 10);
            assertThat(l).isBetween(1000L, 1010L);
            seen.add(l);
        }
        assertThat(seen).as("every value of the range comes up").hasSize(11);
    }
}
