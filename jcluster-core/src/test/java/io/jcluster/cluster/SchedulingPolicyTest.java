package io.jcluster.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SchedulingPolicyTest {

    @Test
    void parsesRrAndNoneInAnyCaseAndWithSpaces() {
        assertThat(SchedulingPolicy.parse("rr")).isEqualTo(SchedulingPolicy.RR);
        assertThat(SchedulingPolicy.parse("RR")).isEqualTo(SchedulingPolicy.RR);
        assertThat(SchedulingPolicy.parse("Rr")).isEqualTo(SchedulingPolicy.RR);
        assertThat(SchedulingPolicy.parse("none")).isEqualTo(SchedulingPolicy.NONE);
        assertThat(SchedulingPolicy.parse(" none ")).isEqualTo(SchedulingPolicy.NONE);
        assertThat(SchedulingPolicy.parse("NONE\n")).isEqualTo(SchedulingPolicy.NONE);
    }

    @Test
    void aBadValueThrowsNamingTheVariable() {
        for (String bad : new String[] {"roundrobin", "", "r r", "1"}) {
            assertThatThrownBy(() -> SchedulingPolicy.parse(bad)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("JCLUSTER_SCHED_POLICY")
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void theVariableName() {
        assertThat(SchedulingPolicy.ENV).isEqualTo("JCLUSTER_SCHED_POLICY");
    }
}
