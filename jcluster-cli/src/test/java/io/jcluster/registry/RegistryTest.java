package io.jcluster.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The name lock: taken once, and no NAME.lock left for every name ever used. */
class RegistryTest {
    @TempDir
    Path home;

    @Test
    void aNameIsTakenOnceAndItsLockFileGoesWithIt() {
        Registry r = new Registry(home);
        Registry.Claim web = r.claim("web");
        assertThat(r.lockFile("web")).exists();
        assertThatThrownBy(() -> r.claim("web")).isInstanceOf(CliException.class)
                .satisfies(e -> assertThat(((CliException) e).exit()).isEqualTo(ExitCode.NAME_IN_USE));
        r.release(web);
        assertThat(r.lockFile("web")).doesNotExist();
        for (int i = 0; i < 20; i++) {
            r.releaseName(r.claim("name-" + i));
        }
        assertThat(home.toFile().list()).isEmpty();
        Registry.Claim again = r.claim("web");
        assertThat(r.lockFile("web")).exists();
        r.release(again);
    }

    /**
     * After an upgrade the old primary let the name go ({@code unlock}); at its exit it must leave the files alone,
     * even while the entry still names it: the new primary binds its control socket before it writes its entry (an
     * UpgradeIT run lost the new primary's socket so).
     */
    @Test
    void aPrimaryThatHandedItsNameOverLeavesTheNewHoldersFiles() throws Exception {
        Registry r = new Registry(home);
        Registry.Claim old = r.claim("up");
        long self = ProcessHandle.current().pid();
        r.write(new Entry("up", self, null, "2026-11-30T18:00:00Z", r.socket("up").toString(), home.toString(), "app", 2,
                "running", null));
        r.writePid("up", self);
        r.unlock(old); // the upgrade's hand-over
        Registry.Claim taken = r.claim("up"); // the new primary takes the name and binds its socket
        java.nio.file.Files.createFile(r.socket("up"));
        r.release(old); // the old primary's exit, before the new one wrote its entry
        assertThat(r.socket("up")).exists();
        assertThat(r.read("up")).isPresent();
        r.release(taken);
    }
}
