package io.jcluster.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Internal: ends this JVM off the calling thread, and halts it if shutdown hooks take longer than a bound. */
public final class Exit {
    private static final Logger log = LoggerFactory.getLogger(Exit.class);

    private Exit() {
    }

    public static void now(int status, long haltAfterMillis) {
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
        exit.start();
    }
}
