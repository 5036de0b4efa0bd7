package io.jcluster.primary;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGTERM and SIGINT on the primary: a graceful stop instead of the JVM's default exit. */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    static void install(Consumer<String> onStop) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> onStop.accept("SIG" + s.getName()));
            } catch (IllegalArgumentException e) {
                log.warn("cannot handle SIG{} here: {}", name, e.getMessage());
            }
        }
    }
}
