package io.jcluster.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each worker gets its share of the memory budget as -XX:MaxRAM, unless the user sized them. */
class MemorySplitTest {
    private static final long MB = 1L << 20;

    @Test
    void theBudgetLessThePrimarysReserveIsSplitEvenly() {
        assertThat(MemorySplit.share(2048 * MB, 2)).isEqualTo((2048 - 128) / 2 * MB);
        assertThat(MemorySplit.share(24L * 1024 * MB, 4)).isEqualTo((24L * 1024 - 128) / 4 * MB);
    }

    @Test
    void aShareIsNeverBelowTheMinimumAndAnUnknownBudgetIsNotSplit() {
        assertThat(MemorySplit.share(512 * MB, 8)).isEqualTo(MemorySplit.MIN_SHARE);
        assertThat(MemorySplit.share(-1, 2)).isZero();
        assertThat(MemorySplit.share(2048 * MB, 0)).isZero();
    }

    @Test
    void theShareBecomesMaxRamUnlessTheUserSizedTheWorkers() {
        List<String> lean = List.of("-XX:+UseSerialGC", "-Xms8m");
        assertThat(MemorySplit.flags(lean, 960 * MB)).containsExactly("-XX:+UseSerialGC", "-Xms8m", "-XX:MaxRAM=960m");
        assertThat(MemorySplit.flags(lean, 0)).isEqualTo(lean);
        for (String user : List.of("-Xmx512m", "-XX:MaxHeapSize=1g", "-XX:MaxRAM=2g", "-XX:MaxRAMPercentage=50")) {
            List<String> jvm = List.of("-XX:+UseSerialGC", user);
            assertThat(MemorySplit.flags(jvm, 960 * MB)).as(user).isEqualTo(jvm);
        }
    }
}
