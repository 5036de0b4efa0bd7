package io.jcluster.supervise;

import io.jcluster.control.ControlException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScaleSpecTest {
    @Test
    void absoluteAndRelative() {
        assertThat(ScaleSpec.parse("4", 2)).isEqualTo(4);
        assertThat(ScaleSpec.parse("+2", 2)).isEqualTo(4);
        assertThat(ScaleSpec.parse("-1", 2)).isEqualTo(1);
        assertThat(ScaleSpec.parse(" 3 ", 9)).isEqualTo(3);
    }

    @Test
    void atLeastOneAndWellFormed() {
        assertThatThrownBy(() -> ScaleSpec.parse("0", 2)).hasMessageContaining("at least 1 worker");
        assertThatThrownBy(() -> ScaleSpec.parse("-2", 2)).hasMessageContaining("asked for 0");
        assertThatThrownBy(() -> ScaleSpec.parse("many", 2)).hasMessageContaining("use N, +K or -K");
        assertThatThrownBy(() -> ScaleSpec.parse("", 2)).isInstanceOf(ControlException.class);
    }

    @Test
    void aWrongCountIsAUsageError() {
        for (String bad : new String[] {"many", "0", "1.5", "++1", ""}) {
            assertThatThrownBy(() -> ScaleSpec.check(bad)).as(bad).isInstanceOfSatisfying(ControlException.class,
                    e -> assertThat(e.exit()).isEqualTo(io.jcluster.contract.ExitCode.USAGE));
        }
        ScaleSpec.check("-3"); // relative to the current count, which only the primary knows
        ScaleSpec.check("+2");
    }
}
