package io.jcluster.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue item 7: impostors on a worker's IPC socket are refused and logged; the directory is private. */
@Timeout(120)
class IpcSecurityIT {
    @Test
    void impostorsAreRefusedAndTheWorkerStillComesOnline() throws Exception {
        Goals.assertMet(IpcSecurity.run(Goals.form()));
    }
}
