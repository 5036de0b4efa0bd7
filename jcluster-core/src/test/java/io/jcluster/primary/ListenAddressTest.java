package io.jcluster.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Which listen hosts the primary binds at once, and which go to the resolver off its loop. */
class ListenAddressTest {
    @Test
    void noHostIsEveryInterface() {
        InetSocketAddress a = Dispatcher.literal("", 8000);
        assertThat(a.getAddress().isAnyLocalAddress()).isTrue();
        assertThat(a.getPort()).isEqualTo(8000);
    }

    @Test
    void ipLiteralsNeedNoLookup() throws Exception {
        assertThat(Dispatcher.literal("127.0.0.1", 1).getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(Dispatcher.literal("::1", 1).getAddress()).isEqualTo(InetAddress.getByName("::1"));
        assertThat(Dispatcher.literal("[::1]", 1).getAddress()).isEqualTo(InetAddress.getByName("::1"));
        assertThat(Dispatcher.literal("0.0.0.0", 1).getAddress().isAnyLocalAddress()).isTrue();
    }

    @Test
    void namesAndLiteralsNettyCannotParseGoToTheResolverNeverToEveryInterface() {
        assertThat(Dispatcher.literal("localhost", 1)).isNull();
        assertThat(Dispatcher.literal("example.invalid", 1)).isNull();
        assertThat(Dispatcher.literal("1.2.3", 1)).isNull();
        // A named IPv6 scope: Netty's parser gives null for it, which as an address would mean every interface.
        assertThat(Dispatcher.literal("fe80::1%lo", 1)).isNull();
    }
}
