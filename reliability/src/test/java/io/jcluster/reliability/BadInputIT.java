package io.jcluster.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue item 6: bad HTTP input gets 400/414/431/413/408, the workers stay up, good clients' p99 holds. */
@Timeout(180)
class BadInputIT {
    @Test
    void badClientsAreAnsweredAndDoNotHurtGoodOnes() throws Exception {
        Goals.assertMet(BadInput.run(Goals.form()));
    }
}
