package io.jcluster.primary;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a primary installs signal handlers. A plain cluster ({@code ClusterSettings.handleSignals}, on by
 * default) gets SIGTERM and SIGINT as a graceful stop; the command line turns that off and registers its own table
 * (HUP, TTIN, TTOU, TERM, INT) through {@link #handle}. A handler runs on the JVM's signal thread: it should only
 * start work. (SIGQUIT cannot be handled from Java; the command line takes it through a native hook.)
 */
public final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** Handles {@code SIG<name>} with {@code action} (given "SIG" + name); null, or why it cannot be handled here. */
    public static String handle(String name, Consumer<String> action) {
        try {
            sun.misc.SignalHandler old = sun.misc.Signal.handle(new sun.misc.Signal(name),
                    s -> action.accept("SIG" + s.getName()));
            if (old == sun.misc.SignalHandler.SIG_IGN && JVM_KEEPS_IGNORED.contains(name)) {
                // HotSpot leaves HUP, INT and TERM ignored when they were ignored at the JVM's start (nohup does
                // that to HUP), and says so only by returning SIG_IGN: the handler is not installed.
                return "it was ignored when this process started (inherited from its parent, e.g. nohup), and"
                        + " the JVM keeps it ignored";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The signals HotSpot will not take over from an inherited SIG_IGN (its shutdown signals). */
    private static final java.util.Set<String> JVM_KEEPS_IGNORED = java.util.Set.of("HUP", "INT", "TERM");

    static void install(Consumer<String> onStop) {
        for (String name : new String[] {"TERM", "INT"}) {
            String why = handle(name, onStop);
            if (why != null) {
                log.warn("cannot handle SIG{} here: {}", name, why);
            }
        }
    }
}
