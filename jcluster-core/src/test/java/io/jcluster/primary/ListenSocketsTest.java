package io.jcluster.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jcluster.primary.ListenSockets.Given;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListenSocketsTest {
    @Test
    void noVariablesNoSockets() {
        assertThat(ListenSockets.parse(Map.of(), 42)).isEmpty();
        assertThat(ListenSockets.parse(Map.of("LISTEN_FDS", ""), 42)).isEmpty();
    }

    @Test
    void fdsFromThreeNamedWhenEveryOneHasAName() {
        assertThat(ListenSockets.parse(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "42", "LISTEN_FDNAMES", "web:admin"), 42))
                .containsExactly(new Given(3, "web"), new Given(4, "admin"));
        assertThat(ListenSockets.parse(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "42"), 42))
                .containsExactly(new Given(3, "unknown"));
    }

    @Test
    void namesThatDoNotCountOneEachAreIgnored() {
        assertThat(ListenSockets.parse(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "7", "LISTEN_FDNAMES", "web"), 7))
                .extracting(Given::name).containsExactly("unknown", "unknown");
    }

    @Test
    void anotherProcesssFdsAreNotOurs() {
        // LISTEN_PID names the process systemd started; a child that inherited the variables must not take them
        assertThat(ListenSockets.parse(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "41"), 42)).isEmpty();
    }

    @Test
    void withoutAPidTheFdsAreTaken() {
        assertThat(ListenSockets.parse(Map.of("LISTEN_FDS", "1"), 42)).hasSize(1);
    }

    @Test
    void badNumbersAreClearErrors() {
        assertThatThrownBy(() -> ListenSockets.parse(Map.of("LISTEN_FDS", "two", "LISTEN_PID", "42"), 42))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("LISTEN_FDS=two is not a number of file descriptors");
        assertThatThrownBy(() -> ListenSockets.parse(Map.of("LISTEN_FDS", "-1", "LISTEN_PID", "42"), 42))
                .hasMessageContaining("LISTEN_FDS=-1");
        assertThatThrownBy(() -> ListenSockets.parse(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "me"), 42))
                .hasMessage("LISTEN_PID=me is not a process id");
    }

    @Test
    void aListenMatchesTheSocketBoundToItsAddress() {
        InetSocketAddress any6 = new InetSocketAddress("::", 8080);
        InetSocketAddress any4 = new InetSocketAddress("0.0.0.0", 8080);
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 8080);
        assertThat(ListenSockets.matches(any6, "", 8080, new InetSocketAddress(8080))).isTrue();
        assertThat(ListenSockets.matches(any4, "", 8080, new InetSocketAddress(8080))).isTrue();
        assertThat(ListenSockets.matches(any6, "0.0.0.0", 8080, any4)).isTrue(); // a dual-stack socket serves IPv4
        assertThat(ListenSockets.matches(local, "127.0.0.1", 8080, local)).isTrue();
        assertThat(ListenSockets.matches(local, "", 8080, new InetSocketAddress(8080))).isFalse();
        assertThat(ListenSockets.matches(any4, "127.0.0.1", 8080, local)).isFalse();
        assertThat(ListenSockets.matches(local, "127.0.0.1", 8081, new InetSocketAddress("127.0.0.1", 8081))).isFalse();
        assertThat(ListenSockets.matches(local, "127.0.0.1", 0, new InetSocketAddress("127.0.0.1", 0))).isFalse();
        assertThat(ListenSockets.matches(local, "localhost", 8080, InetSocketAddress.createUnresolved("localhost", 8080)))
                .isFalse();
    }

    @Test
    void givenList() {
        assertThat(ListenSockets.parse(Map.of("LISTEN_FDS", "3", "LISTEN_PID", "1"), 1))
                .extracting(Given::fd).isEqualTo(List.of(3, 4, 5));
    }
}
