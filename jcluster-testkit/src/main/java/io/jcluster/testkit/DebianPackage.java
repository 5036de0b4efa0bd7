package io.jcluster.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real peer a test drives (a browser, a terminal multiplexer, systemd's socket activator) from Debian's packages,
 * installed with apt-get when the machine does not have it, as the project's scripts do: so {@code mvn -B verify}
 * runs every test on a fresh machine. Fails, with apt-get's output, when it cannot be installed.
 */
public final class DebianPackage {
    private static boolean updated;

    private DebianPackage() {
    }

    /** Makes sure {@code command} is on the PATH, installing {@code pkg} if it is not; the command's path. */
    public static synchronized Path ensure(String command, String pkg) {
        Path found = onPath(command);
        if (found != null) {
            return found;
        }
        try {
            if (!updated) {
                run("apt-get", "update", "-qq");
                updated = true;
            }
            run("apt-get", "install", "-y", "-qq", pkg);
        } catch (IOException e) {
            throw new AssertionError("this test needs " + command + " (Debian's " + pkg + "), which is not installed, "
                    + "and apt-get could not install it: " + e.getMessage(), e);
        }
        found = onPath(command);
        if (found == null) {
            throw new AssertionError("apt-get installed " + pkg + " but there is still no " + command + " on the PATH");
        }
        return found;
    }

    private static Path onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static void run(String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 15 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + out.strip());
        }
    }
}
