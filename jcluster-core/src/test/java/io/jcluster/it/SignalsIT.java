package io.jcluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.primary.Signals;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A primary started with SIGHUP ignored (under {@code nohup}, or a parent that ignores it) cannot take SIGHUP:
 * HotSpot keeps an inherited SIG_IGN for its shutdown signals and installs nothing. {@link Signals#handle} says so
 * instead of reporting success, so the command line can warn that a SIGHUP will not reload.
 */
class SignalsIT {
    /** Prints what {@link Signals#handle} answers for HUP and for TTIN. */
    public static void main(String[] args) {
        System.out.println("HUP: " + Signals.handle("HUP", s -> { }));
        System.out.println("TTIN: " + Signals.handle("TTIN", s -> { }));
    }

    @Test
    void aSignalIgnoredSinceTheStartIsReportedNotSilentlyDropped() throws Exception {
        assertThat(run(false)).contains("HUP: null", "TTIN: null");
        String ignored = run(true);
        assertThat(ignored).contains("HUP: it was ignored when this process started").contains("TTIN: null");
    }

    private static String run(boolean ignoreHup) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = (ignoreHup ? "trap '' HUP; " : "") + "exec \"$0\" -cp \"$1\" " + SignalsIT.class.getName();
        Process p = new ProcessBuilder(List.of("bash", "-c", cmd, java, System.getProperty("java.class.path")))
                .redirectErrorStream(true).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the probe JVM exits").isTrue();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }
}
