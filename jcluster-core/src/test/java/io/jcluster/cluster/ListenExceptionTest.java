package io.jcluster.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import java.net.SocketException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class ListenExceptionTest {

    @Test
    void addressInUseIsEaddrinuse() {
        BindException cause = new BindException("Address already in use");
        ListenException e = ListenException.of("127.0.0.1", 8080, cause);
        assertThat(e.code()).isEqualTo("EADDRINUSE");
        assertThat(e.host()).isEqualTo("127.0.0.1");
        assertThat(e.port()).isEqualTo(8080);
        assertThat(e).hasMessage("listen EADDRINUSE 127.0.0.1:8080: Address already in use");
        assertThat(e.getCause()).isSameAs(cause);
    }

    @Test
    void nettyNativeWordingIsRecognisedToo() {
        // Netty's epoll transport words it "bind(..) failed: Address already in use".
        ListenException e = ListenException.of("", 80, new IOException("bind(..) failed: Address already in use"));
        assertThat(e.code()).isEqualTo("EADDRINUSE");
        assertThat(ListenException.of("", 80, new SocketException("ADDRESS ALREADY IN USE")).code())
                .isEqualTo("EADDRINUSE");
    }

    @Test
    void permissionDeniedIsEacces() {
        ListenException e = ListenException.of("", 80, new SocketException("Permission denied"));
        assertThat(e.code()).isEqualTo("EACCES");
        assertThat(e.getMessage()).startsWith("listen EACCES 0.0.0.0:80");
    }

    @Test
    void unknownHostIsEaddrnotavail() {
        ListenException e = ListenException.of("no-such-host.invalid", 3000,
                new UnknownHostException("no-such-host.invalid: Name or service not known"));
        assertThat(e.code()).isEqualTo("EADDRNOTAVAIL");
        assertThat(e.getMessage()).contains("no-such-host.invalid:3000");
    }

    @Test
    void cannotAssignRequestedAddressIsEaddrnotavail() {
        ListenException e = ListenException.of("10.255.255.1", 3000, new BindException("Cannot assign requested address"));
        assertThat(e.code()).isEqualTo("EADDRNOTAVAIL");
        assertThat(e.getMessage()).contains("10.255.255.1:3000");
    }

    @Test
    void illegalArgumentIsEinvalAndAnythingElseEio() {
        assertThat(ListenException.of("", 1, new IllegalArgumentException("port out of range:70000")).code())
                .isEqualTo("EINVAL");
        assertThat(ListenException.of("", 1, new IOException("something odd")).code()).isEqualTo("EIO");
    }

    @Test
    void theMessageNamesHostAndPortWith0000ForAllInterfaces() {
        ListenException e = ListenException.of("", 8080, new BindException("Address already in use"));
        assertThat(e.getMessage()).contains("0.0.0.0:8080");
        assertThat(e.host()).isEmpty();
        assertThat(ListenException.of(null, 8080, new BindException("Address already in use")).getMessage())
                .contains("0.0.0.0:8080");
        assertThat(ListenException.of("::1", 9, new BindException("Address already in use")).getMessage())
                .contains("::1:9");
    }

    @Test
    void aListenExceptionPassesThroughUnchanged() {
        ListenException original = new ListenException("h", 1, "EACCES", "no");
        assertThat(ListenException.of("other", 2, original)).isSameAs(original);
    }

    @Test
    void theConstructorOmitsAnEmptyDetail() {
        assertThat(new ListenException("", 5, "EIO", "")).hasMessage("listen EIO 0.0.0.0:5");
        assertThat(new ListenException("", 5, "EIO", null)).hasMessage("listen EIO 0.0.0.0:5");
    }

    /** A cause without a message (e.g. ClosedChannelException) must not turn into the text "null". */
    @Test
    void aCauseWithoutAMessageGivesNoNullDetail() {
        ListenException e = ListenException.of("", 80, new IOException((String) null));
        assertThat(e.code()).isEqualTo("EIO");
        assertThat(e.getMessage()).startsWith("listen EIO 0.0.0.0:80").doesNotEndWith(": null");
    }
}
