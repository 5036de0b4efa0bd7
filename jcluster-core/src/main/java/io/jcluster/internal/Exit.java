package io.jcluster.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Internal: ends this JVM off the calling thread, and halts it if shutdown hooks take longer than a bound. */
public final class Exit {
    private static final Logger log = LoggerFactory.getLogger(Exit.class);

    private Exit() {
    }

    /** Set in the environment of a JVM that writes a class data archive at exit (AppCDS): that takes seconds. */
    public static final String ENV_CDS_DUMP = "JCLUSTER_CDS_DUMP";
    private static final long DUMP_MILLIS = 30_000;

    public static void now(int status, long haltAfter) {
        long haltAfterMillis = System.getenv(ENV_CDS_DUMP) != null ? Math.max(haltAfter, DUMP_MILLIS) : haltAfter;
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(haltAfterMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.warn("shutdown took longer than {} ms; halting", haltAfterMillis);
            Runtime.getRuntime().halt(status);
        }, "jcluster-exit-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Thread exit = new Thread(() -> System.exit(status), "jcluster-exit");
        exit.setDaemon(false); // callers are often daemon threads: this one must hold the JVM until it exits
        exit.start();
    }
}
