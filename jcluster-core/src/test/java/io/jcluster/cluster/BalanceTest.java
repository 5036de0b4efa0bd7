package io.jcluster.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BalanceTest {
    @Test
    void parsesTheNamesUsersWrite() {
        assertThat(Balance.parse("rr")).isEqualTo(Balance.RR);
        assertThat(Balance.parse("round-robin")).isEqualTo(Balance.RR);
        assertThat(Balance.parse(" Least-Connections ")).isEqualTo(Balance.LEAST_CONNECTIONS);
        assertThat(Balance.parse("sticky")).isEqualTo(Balance.STICKY);
        for (Balance b : Balance.values()) {
            assertThat(Balance.parse(b.label())).isEqualTo(b);
            assertThat(b.toString()).isEqualTo(b.label());
        }
    }

    @Test
    void anUnknownNameListsTheChoices() {
        assertThatThrownBy(() -> Balance.parse("random"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown balance 'random': choose one of rr, least-connections, sticky");
    }

    @Test
    void settingsDefaultToRoundRobinAndMergeTheBalance() {
        assertThat(new ClusterSettings().balance()).isEqualTo(Balance.RR);
        ClusterSettings s = new ClusterSettings().balance(Balance.STICKY);
        assertThat(new ClusterSettings().merge(s).balance()).isEqualTo(Balance.STICKY);
        assertThat(s.merge(new ClusterSettings().silent(true)).balance()).isEqualTo(Balance.STICKY);
        assertThat(s.toString()).contains("balance=sticky");
    }
}
