package io.jcluster.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue item 8: a worker that cannot boot: back-off, a crash-loop stop that names the cause, exit non-zero. */
@Timeout(420) // the short form gives a loaded machine up to 170 s per crash loop
class BootFailureIT {
    @Test
    void aWorkerWhoseMainThrowsEndsInACrashLoopStop() throws Exception {
        Goals.assertMet(BootFailure.beforeInit(Goals.form()));
    }

    @Test
    void aWorkerWhoseMainThrowsAfterConnectingEndsInACrashLoopStopToo() throws Exception {
        Goals.assertMet(BootFailure.afterInit(Goals.form()));
    }
}
