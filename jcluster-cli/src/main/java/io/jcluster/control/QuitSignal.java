package io.jcluster.control;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * SIGQUIT on the primary: a fast stop. HotSpot never lets Java code handle SIGQUIT (it is its thread-dump
 * signal), so a small native hook, built with the jar where a C compiler is present, takes it instead; it is
 * loaded from the jar into {@code ~/.cache/jcluster/native}. The primary runs with {@code -XX:+StartAttachListener}
 * so that {@code jcmd} keeps working without SIGQUIT.
 */
final class QuitSignal {
    private QuitSignal() {
    }

    /** Installs the hook; false (with the reason in {@code why[0]}) where it is not available. */
    static boolean install(Runnable onQuit, String[] why) {
        if (!attachListenerStarted()) {
            // jcmd asks a JVM without a running attach listener to start one by sending it SIGQUIT: taking
            // SIGQUIT then would turn every jcmd into a stop.
            why[0] = "the primary's JVM was started without -XX:+StartAttachListener (bin/jcluster sets it)";
            return false;
        }
        String resource = "/native/linux-" + arch() + "/libjcluster-signals.so";
        try (InputStream in = QuitSignal.class.getResourceAsStream(resource)) {
            if (in == null) {
                why[0] = "this build has no native hook for linux-" + arch();
                return false;
            }
            byte[] lib = in.readAllBytes();
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lib), 0, 8);
            Path dir = Path.of(System.getProperty("user.home"), ".cache", "jcluster", "native");
            Files.createDirectories(dir);
            Path file = dir.resolve("libjcluster-signals-" + hash + ".so");
            if (!Files.exists(file)) {
                Path tmp = Files.createTempFile(dir, "lib", ".tmp");
                Files.write(tmp, lib);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            System.load(file.toString());
            int rc = install0();
            if (rc != 0) {
                why[0] = "sigaction failed (errno " + -rc + ")";
                return false;
            }
        } catch (IOException | java.security.GeneralSecurityException | UnsatisfiedLinkError e) {
            why[0] = e.toString();
            return false;
        }
        Thread t = new Thread(() -> {
            while (await0() == 0) {
                onQuit.run();
            }
        }, "jcluster-sigquit");
        t.setDaemon(true);
        t.start();
        return true;
    }

    private static boolean attachListenerStarted() {
        try {
            return "true".equals(java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption("StartAttachListener").getValue());
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        };
    }

    private static native int install0();

    private static native int await0();
}
