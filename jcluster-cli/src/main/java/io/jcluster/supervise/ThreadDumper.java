package io.jcluster.supervise;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Takes a JVM's thread dump: {@code jcmd PID Thread.print} (its output returned, to be written to the worker's
 * log), or, when jcmd is missing or fails, SIGQUIT (the JVM prints the dump to its own stdout, which the
 * primary captures into the same log).
 */
final class ThreadDumper {
    static final long JCMD_TIMEOUT_SECONDS = 20;

    private ThreadDumper() {
    }

    /** The dump's lines, or null when SIGQUIT was sent instead (the dump then arrives as the worker's output). */
    static List<String> dump(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (Files.isExecutable(jcmd)) {
            try {
                Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print", "-l")
                        .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
                Thread watchdog = new Thread(() -> {
                    try {
                        if (!p.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                            p.destroyForcibly(); // ends the read below
                        }
                    } catch (InterruptedException e) {
                        p.destroyForcibly();
                    }
                }, "jcluster-jcmd-watchdog");
                watchdog.setDaemon(true);
                watchdog.start();
                byte[] out;
                try (var in = p.getInputStream()) {
                    out = in.readAllBytes();
                }
                if (p.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return List.of(new String(out, StandardCharsets.UTF_8).split("\n"));
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // fall back to SIGQUIT
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of("(interrupted while taking the thread dump)");
            }
        }
        try {
            new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).start().waitFor(5, TimeUnit.SECONDS);
            Thread.sleep(1500); // the JVM prints the dump on its own output
        } catch (IOException e) {
            return List.of("(no thread dump: neither jcmd nor kill -QUIT worked: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
