package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What the commands print: tables, the status view, the progress bar. */
class RenderTest {
    @Test
    void tableAlignsColumnsWithoutTrailingBlanks() {
        String t = new Table("ID", "NAME", "X").row(1, "a", null).row(10, "longer", "z").render();
        assertThat(t).isEqualTo("ID  NAME    X\n1   a       -\n10  longer  z\n");
    }

    @Test
    void statusView() throws Exception {
        String json = "{\"name\":\"web\",\"pid\":100,\"state\":\"running\",\"uptimeSeconds\":75,\"generation\":2,\"target\":2,"
                + "\"addresses\":[\"*:8080\"],\"workers\":["
                + "{\"id\":3,\"pid\":1201,\"state\":\"listening\",\"generation\":2,\"uptimeSeconds\":61,\"restarts\":0,"
                + "\"rssBytes\":68157440,\"cpuPercent\":1.25,\"connections\":4,\"requests\":1200},"
                + "{\"id\":4,\"pid\":1202,\"state\":\"listening\",\"generation\":1,\"uptimeSeconds\":3725,\"restarts\":2,"
                + "\"rssBytes\":-1,\"cpuPercent\":null,\"connections\":0,\"requests\":7,\"leaving\":\"scaled down\"}]}";
        String out = StatusCommand.render(new ObjectMapper().readTree(json));
        assertThat(out).isEqualTo(String.join("\n",
                "web  running  primary pid 100  up 1m15s  generation 2  workers 2/2  listening on *:8080",
                "ID  PID   STATE                GEN  UPTIME  RESTARTS  RSS    CPU%  CONNS  REQUESTS",
                "3   1201  listening            2    1m01s   0         65.0M  1.3   4      1200",
                "4   1202  listening (leaving)  1    1h02m   2         -      -     0      7", ""));
    }

    @Test
    void statusViewShowsAcceptedConnectionsOfAWorkerThatReportsNoRequests() throws Exception {
        String json = "{\"name\":\"app\",\"pid\":100,\"state\":\"running\",\"uptimeSeconds\":5,\"generation\":1,\"target\":3,"
                + "\"addresses\":[],\"workers\":["
                // an unmodified application's worker: the agent counts accepts only
                + "{\"id\":1,\"pid\":11,\"state\":\"listening\",\"generation\":1,\"uptimeSeconds\":5,\"restarts\":0,"
                + "\"rssBytes\":-1,\"connections\":0,\"requests\":0,\"acceptedConnections\":517},"
                // not reported yet
                + "{\"id\":2,\"pid\":12,\"state\":\"online\",\"generation\":1,\"uptimeSeconds\":1,\"restarts\":0,"
                + "\"rssBytes\":-1,\"connections\":0,\"requests\":0,\"acceptedConnections\":null},"
                // jcluster's own server: open connections and requests, as before
                + "{\"id\":3,\"pid\":13,\"state\":\"listening\",\"generation\":1,\"uptimeSeconds\":5,\"restarts\":0,"
                + "\"rssBytes\":-1,\"connections\":2,\"requests\":40,\"acceptedConnections\":9}]}";
        String out = StatusCommand.render(new ObjectMapper().readTree(json));
        assertThat(out).isEqualTo(String.join("\n",
                "app  running  primary pid 100  up 5s  generation 1  workers 3/3",
                "ID  PID  STATE      GEN  UPTIME  RESTARTS  RSS  CPU%  CONNS  REQUESTS",
                "1   11   listening  1    5s      0         -    -     517*   0",
                "2   12   online     1    1s      0         -    -     0      0",
                "3   13   listening  1    5s      0         -    -     2      40",
                StatusCommand.ACCEPTED_LEGEND, ""));
    }

    @Test
    void progressBar() {
        assertThat(ProgressBar.render(0, 4, "starting")).isEqualTo("[------------------------] 0/4  starting");
        assertThat(ProgressBar.render(1, 4, "")).isEqualTo("[######------------------] 1/4");
        assertThat(ProgressBar.render(4, 4, "done")).isEqualTo("[########################] 4/4  done");
        assertThat(ProgressBar.render(0, 0, null)).isEqualTo("[########################] 0/0");
    }
}
