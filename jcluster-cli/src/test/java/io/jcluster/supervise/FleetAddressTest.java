package io.jcluster.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class FleetAddressTest {
    private static String of(String host, int port) throws Exception {
        return Fleet.address(new InetSocketAddress(InetAddress.getByName(host), port));
    }

    @Test
    void ipv6AddressesAreWrittenAsRfc5952Does() throws Exception {
        assertThat(of("::1", 8080)).isEqualTo("[::1]:8080");
        assertThat(of("fe80:0:0:0:1:0:0:2", 1)).isEqualTo("[fe80::1:0:0:2]:1");
        assertThat(of("2001:db8:0:0:1:0:0:0", 1)).isEqualTo("[2001:db8:0:0:1::]:1");
        assertThat(of("2001:db8:0:1:2:3:4:5", 1)).isEqualTo("[2001:db8:0:1:2:3:4:5]:1");
        assertThat(of("::", 7)).isEqualTo("*:7");
        assertThat(Fleet.compact("0:0:0:0:0:0:0:0")).isEqualTo("::");
    }

    @Test
    void ipv4AndWildcardAddressesAreUnchanged() throws Exception {
        assertThat(of("127.0.0.1", 8080)).isEqualTo("127.0.0.1:8080");
        assertThat(of("0.0.0.0", 80)).isEqualTo("*:80");
    }
}
