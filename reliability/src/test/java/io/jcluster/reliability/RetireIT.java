package io.jcluster.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 17: retiring workers (the operations' way out) under load: a scale-down, and the drain deadline. */
@Timeout(180)
class RetireIT {
    @Test
    void scaleDownUnderLoadLosesNothing() throws Exception {
        Goals.assertMet(Retire.scaleDown(Goals.form()));
    }

    @Test
    void aWorkerThatWillNotFinishIsKilledAtTheDrainDeadlineAndThePrimaryCarriesOn() throws Exception {
        Goals.assertMet(Retire.drainDeadline(Goals.form()));
    }
}
