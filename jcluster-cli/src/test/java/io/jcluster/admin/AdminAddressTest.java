package io.jcluster.admin;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminAddressTest {
    @Test
    void aPortAloneIsOnLoopback() {
        assertThat(AdminAddress.parse("8001")).isEqualTo(new AdminAddress("127.0.0.1", 8001));
        assertThat(AdminAddress.parse(" 0 ")).isEqualTo(new AdminAddress("127.0.0.1", 0));
    }

    @Test
    void hostAndPort() {
        assertThat(AdminAddress.parse("0.0.0.0:9000")).isEqualTo(new AdminAddress("0.0.0.0", 9000));
        assertThat(AdminAddress.parse("localhost:65535")).isEqualTo(new AdminAddress("localhost", 65535));
        assertThat(AdminAddress.parse("[::1]:8001")).isEqualTo(new AdminAddress("::1", 8001));
        assertThat(AdminAddress.parse("[::1]:8001").authority()).isEqualTo("[::1]:8001");
        assertThat(AdminAddress.parse("10.0.0.2:8001").authority()).isEqualTo("10.0.0.2:8001");
    }

    @Test
    void badValuesSayWhatIsExpected() {
        assertThatThrownBy(() -> AdminAddress.parse("")).hasMessageContaining("[HOST:]PORT");
        assertThatThrownBy(() -> AdminAddress.parse("abc")).hasMessageContaining("'abc' is not a port number");
        assertThatThrownBy(() -> AdminAddress.parse("host:")).hasMessageContaining("is not a port number");
        assertThatThrownBy(() -> AdminAddress.parse(":8001")).hasMessageContaining("empty host");
        assertThatThrownBy(() -> AdminAddress.parse("70000")).hasMessageContaining("over 65535");
        assertThatThrownBy(() -> AdminAddress.parse("-1")).hasMessageContaining("not a port number");
        assertThatThrownBy(() -> AdminAddress.parse("::1:8001")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> AdminAddress.parse("[::1]8001")).hasMessageContaining("[IPV6]:PORT");
        assertThatThrownBy(() -> AdminAddress.parse("[::1]")).hasMessageContaining("[IPV6]:PORT");
    }
}
