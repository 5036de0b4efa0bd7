package io.jcluster.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatsTest {
    @Test
    void statTicksSkipACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (java (my app)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 1000 0 0";
        assertThat(ProcStats.parseStatTicks(stat)).isEqualTo(325);
    }

    @Test
    void rssLineInKilobytes() {
        assertThat(ProcStats.parseKb("\t  65432 kB")).isEqualTo(65432L * 1024);
    }

    @Test
    void readsThisProcess() {
        long pid = ProcessHandle.current().pid();
        assertThat(ProcStats.rss(pid)).isGreaterThan(1 << 20);
        assertThat(ProcStats.cpuTicks(pid)).isGreaterThanOrEqualTo(0);
        assertThat(ProcStats.rss(Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void cpuPercentBetweenSamples() {
        ProcStats.Sample a = new ProcStats.Sample(1, 100, 0);
        ProcStats.Sample b = new ProcStats.Sample(1, 150, 1_000_000_000L);
        assertThat(b.cpuPercentSince(a)).isEqualTo(50.0);
        assertThat(b.cpuPercentSince(null)).isEqualTo(-1);
        assertThat(new ProcStats.Sample(1, -1, 2).cpuPercentSince(a)).isEqualTo(-1);
    }

    @Test
    void listeningPortsAreTheListenRowsOfTheProcesssOwnSockets() {
        String tcp = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4711 1 0 100 0 0 10 0
                   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1 0 100 0 0 10 0
                   2: 0100007F:1F91 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 4712 1 0 20 4 30 10 -1
                """;
        assertThat(ProcStats.listeningPorts(tcp, java.util.Set.of(4711L, 4712L))).containsExactly(8080);
    }

    @Test
    void listeningPortsOfThisProcess() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(ProcStats.listeningPorts(ProcessHandle.current().pid())).contains(s.getLocalPort());
        }
        assertThat(ProcStats.listeningPorts(Long.MAX_VALUE)).isEmpty();
    }
}
