package io.jcluster.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Ack;
import io.jcluster.ipc.Message.Refuse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AckRunsTest {
    private static List<Message> answer(AckRuns runs, boolean... taken) {
        List<Message> out = new ArrayList<>();
        for (boolean t : taken) {
            Message m = runs.add(t);
            if (m != null) {
                out.add(m);
            }
        }
        Message m = runs.end();
        if (m != null) {
            out.add(m);
        }
        return out;
    }

    @Test
    void aReadOfAdoptedConnectionsIsOneAck() {
        assertThat(answer(new AckRuns(), true, true, true)).containsExactly(new Ack(3));
    }

    @Test
    void answersKeepTheOrderOfTheConnections() {
        assertThat(answer(new AckRuns(), true, true, false, false, false, true))
                .containsExactly(new Ack(2), new Refuse(3), new Ack(1));
        assertThat(answer(new AckRuns(), false)).containsExactly(new Refuse(1));
    }

    @Test
    void eachReadStartsAfresh() {
        AckRuns runs = new AckRuns();
        assertThat(answer(runs, true, false)).containsExactly(new Ack(1), new Refuse(1));
        assertThat(answer(runs)).isEmpty();
        assertThat(answer(runs, false, false)).containsExactly(new Refuse(2));
    }
}
