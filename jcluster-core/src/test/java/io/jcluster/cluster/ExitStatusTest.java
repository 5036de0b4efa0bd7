package io.jcluster.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExitStatusTest {

    @Test
    void exit137IsSigkill() {
        ExitStatus s = ExitStatus.of(137);
        assertThat(s.code()).isEqualTo(137);
        assertThat(s.signal()).isEqualTo("SIGKILL");
        assertThat(s.signaled()).isTrue();
        assertThat(s).hasToString("SIGKILL");
    }

    @Test
    void exit143IsSigterm() {
        ExitStatus s = ExitStatus.of(143);
        assertThat(s.signal()).isEqualTo("SIGTERM");
        assertThat(s.signaled()).isTrue();
        assertThat(s.code()).isEqualTo(143);
    }

    @Test
    void otherSignals() {
        assertThat(ExitStatus.of(130).signal()).isEqualTo("SIGINT");
        assertThat(ExitStatus.of(129).signal()).isEqualTo("SIGHUP");
        assertThat(ExitStatus.of(134).signal()).isEqualTo("SIGABRT");
        assertThat(ExitStatus.of(139).signal()).isEqualTo("SIGSEGV");
    }

    @Test
    void plainExitCodesAreNotSignaled() {
        for (int code : new int[] {0, 1, 2, 127, 128, 255, -1}) {
            ExitStatus s = ExitStatus.of(code);
            assertThat(s.signaled()).as("code %d", code).isFalse();
            assertThat(s.signal()).as("code %d", code).isNull();
            assertThat(s.code()).isEqualTo(code);
            assertThat(s).hasToString("exit code " + code);
        }
    }

    @Test
    void signalNumberAcceptsTheNameWithOrWithoutSig() {
        assertThat(ExitStatus.signalNumber("SIGTERM")).isEqualTo(15);
        assertThat(ExitStatus.signalNumber("TERM")).isEqualTo(15);
        assertThat(ExitStatus.signalNumber("SIGKILL")).isEqualTo(9);
        assertThat(ExitStatus.signalNumber("KILL")).isEqualTo(9);
        assertThat(ExitStatus.signalNumber("SIGINT")).isEqualTo(2);
        assertThat(ExitStatus.signalNumber("HUP")).isEqualTo(1);
    }

    @Test
    void signalNumberAndOfAgree() {
        for (String name : new String[] {"SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGUSR1", "SIGTERM"}) {
            assertThat(ExitStatus.of(128 + ExitStatus.signalNumber(name)).signal()).isEqualTo(name);
        }
    }

    @Test
    void anUnknownSignalThrows() {
        assertThatThrownBy(() -> ExitStatus.signalNumber("SIGBOGUS"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SIGBOGUS");
        assertThatThrownBy(() -> ExitStatus.signalNumber("BOGUS"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BOGUS");
        assertThatThrownBy(() -> ExitStatus.signalNumber(""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExitStatus.signalNumber("SIG"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
