package io.jcluster.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.reliability.Attribution.Kill;
import io.jcluster.reliability.LoadClient.Failure;
import io.jcluster.reliability.LoadClient.Phase;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Chaos's attribution check on crafted outcomes: it passes an honest one and fails each kind of bad one. */
class AttributionTest {
    private static final long S = 1_000_000_000L;

    /** Worker 1 stopped at 10 s holding client ports 5001 and 5002; worker 2 at 20 s holding 6001. */
    private static final List<Kill> KILLS = List.of(
            new Kill(1, 101, 10 * S, Set.of(5001, 5002)),
            new Kill(2, 102, 20 * S, Set.of(6001)));

    /** A keep-alive connection made at {@code connectS} on {@code port}, failing at {@code failS}. */
    private static Failure failure(int port, double connectS, double failS) {
        return new Failure((long) (connectS * S), (long) (failS * S), port, "127.0.0.1", true, 3, Phase.NO_RESPONSE,
                0, "java.net.SocketException: Connection reset");
    }

    @Test
    void failuresOnlyOnHeldConnectionsAndNoMoreThanHeldPass() {
        Attribution.Verdict v = Attribution.judge(List.of(
                failure(5001, 9, 10.01), failure(5002, 8, 10.02), failure(6001, 19.5, 20.01)), KILLS);

        assertThat(v.exact()).isTrue();
        assertThat(v.other()).isEmpty();
        assertThat(v.perKill()).containsExactly(2, 1);
        assertThat(v.overHeld()).isEmpty();
        assertThat(v.worstPerConnection()).isEqualTo(1);
    }

    @Test
    void aFailureOnAConnectionNoVictimHeldFails() {
        Attribution.Verdict v = Attribution.judge(List.of(
                failure(5001, 9, 10.01),
                failure(7777, 9, 10.01)), KILLS); // port 7777 was no victim's

        assertThat(v.exact()).isFalse();
        assertThat(v.other()).extracting(Failure::localPort).containsExactly(7777);
    }

    @Test
    void aHeldPortThatFailedBeforeTheStopOrWasConnectedLongAfterItIsNotTheVictims() {
        Attribution.Verdict v = Attribution.judge(List.of(
                failure(5001, 5, 9.5),      // failed before worker 1 was stopped
                failure(5002, 12, 12.5),    // connected 2 s after the stop: a later connection on a reused port
                new Failure(0, 10 * S + 1, 0, "127.0.0.1", false, 0, Phase.CONNECT, 0, "refused")), KILLS);

        assertThat(v.exact()).isFalse();
        assertThat(v.other()).hasSize(3);
        assertThat(v.perKill()).containsExactly(0, 0);
    }

    @Test
    void moreFailuresThanConnectionsTheVictimHeldFails() {
        // Worker 2 held one connection; two failures land on its port (the same connection failing twice, or a
        // count that is off): "at most one per connection" could not see this when connections differ in time.
        Attribution.Verdict v = Attribution.judge(List.of(
                failure(6001, 19.5, 20.01), failure(6001, 19.9, 20.3)), KILLS);

        assertThat(v.other()).isEmpty();
        assertThat(v.perKill()).containsExactly(0, 2);
        assertThat(v.overHeld()).containsExactly("worker 2: 2 failures, 1 held");
        assertThat(v.exact()).isFalse();
    }

    @Test
    void aFailureIsGivenToTheLatestKillThatHeldItsPort() {
        // Port 5001 was held by worker 1's connection, then (a later connection) by worker 3's.
        List<Kill> kills = List.of(new Kill(1, 101, 10 * S, Set.of(5001)), new Kill(3, 103, 40 * S, Set.of(5001)));
        Attribution.Verdict v = Attribution.judge(List.of(failure(5001, 39, 40.01)), kills);

        assertThat(v.perKill()).containsExactly(0, 1);
        assertThat(v.exact()).isTrue();
    }
}
