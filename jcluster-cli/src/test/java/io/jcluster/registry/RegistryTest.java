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
}
