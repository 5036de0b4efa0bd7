package io.jcluster.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The agent turns Netty's multishot io_uring accept off (FINDINGS.md F5) unless the user chose. */
class FairIoUringAcceptsTest {
    @Test
    void turnsNettysMultishotAcceptOffByDefault() {
        Properties p = new Properties();
        JclusterAgent.fairIoUringAccepts(p);
        assertThat(JclusterAgent.IO_URING_MULTISHOT_ACCEPT).isEqualTo("io.netty.iouring.acceptMultiShotEnabled");
        assertThat(p.getProperty(JclusterAgent.IO_URING_MULTISHOT_ACCEPT)).isEqualTo("false");
    }

    @Test
    void keepsTheUsersOwnChoice() {
        Properties p = new Properties();
        p.setProperty(JclusterAgent.IO_URING_MULTISHOT_ACCEPT, "true");
        JclusterAgent.fairIoUringAccepts(p);
        assertThat(p.getProperty(JclusterAgent.IO_URING_MULTISHOT_ACCEPT)).isEqualTo("true");
    }
}
