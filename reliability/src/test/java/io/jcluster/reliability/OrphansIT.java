package io.jcluster.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue item 3: kill -9 of the primary under load leaves no process, and the port is free again. */
@Timeout(120)
class OrphansIT {
    @Test
    void killingThePrimaryLeavesNothingBehind() throws Exception {
        Goals.assertMet(Orphans.run(Goals.form()));
    }
}
