package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code jcluster monit} draws: given status snapshots and a terminal size, the exact lines. */
class MonitViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode status(long requests1, double cpu1, long rss1, String extra) throws Exception {
        return JSON.readTree("{\"name\":\"web\",\"pid\":100,\"state\":\"running\",\"uptimeSeconds\":75,\"generation\":2,"
                + "\"target\":2,\"addresses\":[\"*:8080\"],\"workers\":["
                + "{\"id\":3,\"pid\":1201,\"state\":\"listening\",\"generation\":2,\"uptimeSeconds\":61,\"restarts\":0,"
                + "\"rssBytes\":" + rss1 + ",\"cpuPercent\":" + cpu1 + ",\"connections\":4,\"requests\":" + requests1 + extra + "},"
                + "{\"id\":4,\"pid\":1202,\"state\":\"listening\",\"generation\":1,\"uptimeSeconds\":3725,\"restarts\":2,"
                + "\"rssBytes\":-1,\"cpuPercent\":null,\"connections\":0,\"requests\":7,\"leaving\":\"scaled down\"}]}");
    }

    /** Three snapshots one second apart: 0, 100 and 300 requests on worker 3. */
    private static MonitHistory history(String extra) throws Exception {
        MonitHistory h = new MonitHistory();
        h.record(status(0, 1.0, 64L << 20, extra), 0);
        h.record(status(100, 3.0, 66L << 20, extra), 1_000_000_000L);
        h.record(status(300, 2.0, 65L << 20, extra), 2_000_000_000L);
        return h;
    }

    @Test
    void eightyByTwentyFour() throws Exception {
        List<String> lines = MonitView.render(status(300, 2.0, 65L << 20, ""), history(""), 80, 24, "q quits", true);
        assertThat(lines).containsExactly(
                "web  running  primary pid 100  up 1m15s  generation 2  workers 2/2  listening on", // cut at 80
                "",
                "ID  PID   STATE                GEN  UPTIME  RST  RSS    CPU%  REQ/S  CONNS",
                "3   1201  listening            2    1m01s   0    65.0M  2.0   200    4",
                "4   1202  listening (leaving)  1    1h02m   2    -      -     0.0    0",
                "",
                "last 11s (a column a second; req/s and cpu from 0, rss from its lowest)",
                "3   req/s          ▅█ 200     cpu         ▃█▆ 2.0%    rss         ▁█▅ 65.0M",
                "4   req/s          ▁▁ 0.0     cpu             -       rss             -",
                "", "", "", "", "", "", "", "", "", "", "", "", "", "", // the footer on the last row
                "q quits");
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
    }

    @Test
    void heartbeatLagColumnWhenTheStatusHasIt() throws Exception {
        String lag = ",\"heartbeatLagSeconds\":0.004";
        List<String> lines = MonitView.render(status(300, 2.0, 65L << 20, lag), history(lag), 80, 24, null, false);
        assertThat(lines.subList(2, 5)).containsExactly(
                "ID  PID   STATE                GEN  UPTIME  RST  RSS    CPU%  REQ/S  CONNS  LAG",
                "3   1201  listening            2    1m01s   0    65.0M  2.0   200    4      4ms",
                "4   1202  listening (leaving)  1    1h02m   2    -      -     0.0    0      -");
        assertThat(lines.get(7)).isEqualTo("3   req/s          =# 200     cpu         -#+ 2.0%    rss         _#= 65.0M");
    }

    @Test
    void aSmallTerminalCutsLinesAndSaysWhatIsLeftOut() throws Exception {
        List<String> lines = MonitView.render(status(300, 2.0, 65L << 20, ""), history(""), 30, 5, "q quits", true);
        assertThat(lines).containsExactly( // no room for sparklines at 30 columns
                "web  running  primary pid 100",
                "",
                "ID  PID   STATE",
                "... 2 more line(s): a taller t",
                "q quits");
        assertThat(MonitView.render(status(300, 2.0, 65L << 20, ""), history(""), 30, 6, "q quits", true))
                .containsExactly("web  running  primary pid 100", "", "ID  PID   STATE", "3   1201  listening",
                        "4   1202  listening (leaving)", "q quits");
    }

    @Test
    void plainOutputIsNotCut() throws Exception {
        List<String> lines = MonitView.render(status(300, 2.0, 65L << 20, ""), history(""), 0, 0, "at 10:00:00", false);
        assertThat(lines).hasSize(10);
        assertThat(lines.get(6)).isEqualTo("last " + MonitView.PLAIN_SPARK
                + "s (a column a second; req/s and cpu from 0, rss from its lowest)");
        assertThat(lines.get(9)).isEqualTo("at 10:00:00");
        assertThat(String.join("\n", lines)).doesNotContain("\033");
    }

    @Test
    void noWorkers() throws Exception {
        JsonNode s = JSON.readTree("{\"name\":\"web\",\"pid\":100,\"state\":\"stopping\",\"workers\":[]}");
        assertThat(MonitView.render(s, new MonitHistory(), 80, 0, "f", true)).containsExactly(
                "web  stopping  primary pid 100  up 0s  generation 0  workers 0/0", "",
                "ID  PID  STATE  GEN  UPTIME  RST  RSS  CPU%  REQ/S  CONNS", "(no workers)", "f");
        assertThat(MonitView.render(s, new MonitHistory(), 80, 24, "f", true)).hasSize(24);
    }

    @Test
    void sparklines() {
        assertThat(Sparkline.of(Arrays.asList(0.0, 1.0, 2.0, 4.0), 6, true, true)).isEqualTo("  ▁▃▅█");
        assertThat(Sparkline.of(Arrays.asList(5.0, 5.0), 2, true, true)).isEqualTo("██"); // from 0: a steady rate is full height
        assertThat(Sparkline.of(Arrays.asList(5.0, 5.0), 2, false, true)).isEqualTo("▄▄");
        assertThat(Sparkline.of(Arrays.asList(0.0, 0.0), 2, true, false)).isEqualTo("__");
        assertThat(Sparkline.of(Arrays.asList(10.0, null, 20.0), 3, false, false)).isEqualTo("_ #");
        assertThat(Sparkline.of(Arrays.asList(1.0, 2.0, 3.0, 4.0), 2, true, false)).isEqualTo("+#");
        assertThat(Sparkline.of(List.of(1.0), 0, true, true)).isEmpty();
    }

    @Test
    void historyForgetsWorkersThatLeft() throws Exception {
        MonitHistory h = history("");
        assertThat(h.rates(3)).containsExactly(100.0, 200.0);
        assertThat(h.rate(4)).isEqualTo(0.0);
        h.record(JSON.readTree("{\"workers\":[{\"id\":3,\"requests\":10}]}"), 3_000_000_000L);
        assertThat(h.rates(4)).isEmpty();
        assertThat(h.rate(3)).isNull(); // the count went down (a new process): no rate for that second
        assertThat(h.rss(3)).last().isNull();
    }
}
