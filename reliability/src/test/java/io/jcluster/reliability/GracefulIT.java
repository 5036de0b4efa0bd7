package io.jcluster.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue item 2: the graceful paths lose nothing under load. */
@Timeout(180)
class GracefulIT {
    @Test
    void disconnectOfAWorkerLosesNothing() throws Exception {
        Goals.assertMet(Graceful.disconnect(Goals.form()));
    }

    @Test
    void disconnectOfAWorkerLosesNothingUnderTheNonePolicy() throws Exception {
        Goals.assertMet(Graceful.disconnectNone(Goals.form()));
    }

    @Test
    void rollingReplacementOfEveryWorkerLosesNothing() throws Exception {
        Goals.assertMet(Graceful.rolling(Goals.form()));
    }

    @Test
    void sigtermOfThePrimaryFinishesInFlightRequestsAndExitsZero() throws Exception {
        Goals.assertMet(Graceful.sigterm(Goals.form()));
    }

    @Test
    void sigtermAnswersEveryConnectionQueuedBeforeIt() throws Exception {
        Goals.assertMet(QueuedStop.run(Goals.form()));
    }
}
