package io.jcluster.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Ack;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloseReportsTest {
    private final ArrayDeque<Runnable> loop = new ArrayDeque<>();
    private final List<Message> sent = new ArrayList<>();

    private CloseReports attached(boolean on) {
        CloseReports r = new CloseReports(on);
        r.attach(loop::add, sent::add);
        return r;
    }

    private void runLoop() {
        for (Runnable t; (t = loop.poll()) != null; ) {
            t.run();
        }
    }

    @Test
    void closesOfAWakeUpGoOutInOneAck() {
        CloseReports r = attached(true);
        List<EmbeddedChannel> chs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            EmbeddedChannel ch = new EmbeddedChannel();
            r.watch(ch);
            chs.add(ch);
        }
        chs.forEach(EmbeddedChannel::close);
        assertThat(loop).hasSize(1); // one report scheduled for all five
        runLoop();
        assertThat(sent).containsExactly(new Ack(0, 5));
        runLoop();
        assertThat(sent).hasSize(1);
    }

    @Test
    void anAckOfTheSameWakeUpCarriesThemAndTheReportHasNothingLeft() {
        CloseReports r = attached(true);
        r.closed();
        r.closed();
        AckRuns runs = new AckRuns(r::take);
        runs.add(true);
        assertThat(runs.end()).isEqualTo(new Ack(1, 2));
        runLoop();
        assertThat(sent).isEmpty();
        r.closed();
        runLoop();
        assertThat(sent).containsExactly(new Ack(0, 1));
    }

    @Test
    void offCountsNothingAndSchedulesNothing() {
        CloseReports r = attached(false);
        EmbeddedChannel ch = new EmbeddedChannel();
        r.watch(ch);
        ch.close();
        r.closed();
        assertThat(loop).isEmpty();
        assertThat(r.take()).isZero();
        AckRuns runs = new AckRuns(r::take);
        runs.add(true);
        assertThat(runs.end()).isEqualTo(new Ack(1));
    }

    @Test
    void closesBeforeTheLinkIsUpWaitForTheNextAck() {
        CloseReports r = new CloseReports(true);
        r.closed();
        assertThat(r.take()).isEqualTo(1);
        assertThat(r.take()).isZero();
    }
}
