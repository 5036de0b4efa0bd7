package io.jcluster.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue item 1: kill -9 of a random worker every 2 s under keep-alive and Connection: close load (RR and NONE). */
@Timeout(180)
class ChaosIT {
    @Test
    void onlyTheKilledWorkersConnectionsFailAndEveryWorkerComesBack() throws Exception {
        Goals.assertMet(Chaos.run(Goals.form()));
    }

    @Test
    void underTheNonePolicyToo() throws Exception {
        Goals.assertMet(Chaos.runNone(Goals.form()));
    }
}
