package io.jcluster.launch;

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
        String failed = io.jcluster.internal.NativeLibrary.load(QuitSignal.class, "jcluster-signals");
        if (failed != null) {
            why[0] = failed;
            return false;
        }
        int rc = install0();
        if (rc != 0) {
            why[0] = "sigaction failed (errno " + -rc + ")";
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

    private static native int install0();

    private static native int await0();
}
