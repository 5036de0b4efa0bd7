package io.jcluster.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue item 4: the primary's fds and heap return to their baseline after many connections. */
@Timeout(300)
class LeaksIT {
    @Test
    void fdsAndHeapReturnToBaseline() throws Exception {
        Goals.assertMet(Leaks.run(Goals.form()));
    }
}
